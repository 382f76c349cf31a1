package runtime

import (
	"reflect"
	"unsafe"

	"github.com/poolflow/poolflow/table"
)

// unsafePointer is the address of a table row's cells.
type unsafePointer = unsafe.Pointer

// rowValue is the table row at p as a value expressions can read: a
// pointer to it, which boxes nothing.
func rowValue(l *table.Layout, p unsafe.Pointer) any {
	return reflect.NewAt(l.Type, p).Interface()
}
