// Package table reads and writes tables of rows: the one CSV codec of
// poolflow, which read_csv, items: {csv} and CSV output all use, the
// column schemas that check a file cell by cell, and the compact rows they
// give.
//
// A row is a struct, one type per schema or per header, built with
// reflect.StructOf, whose fields expressions read by their expr tags
// (row.shipmentId, row["a column"]). A row costs what its values cost: a
// string cell is 16 bytes, an int 8, where a map per row costs about 300.
// Layout describes a row type, so that writers and hashes read the cells
// straight from memory, without a map or a boxed value per row.
//
// Every problem with a file's data is a *DataError that names the file,
// the line, the column by name and number, the cell's text and what was
// wanted.
//
// table imports no other package of poolflow.
package table
