// csv.mjs: the DuckDB peer of the csv workloads, on the npm package
// @duckdb/node-api, which compare.sh installs into its temporary folder.
//
//   node csv.mjs DIR OUT THREADS
//
// reads every DIR/*.csv, drops repeated rows and writes one CSV with a
// header, as SELECT DISTINCT does: its rows are the same as the other
// tools', in another order (compare.sh compares them sorted).
import { DuckDBInstance } from '@duckdb/node-api';

const [dir, out, threads] = process.argv.slice(2);
if (!dir || !out || !threads) {
  console.error('usage: node csv.mjs DIR OUT THREADS');
  process.exit(2);
}
const quote = (s) => "'" + s.replaceAll("'", "''") + "'";
const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const con = await db.connect();
await con.run(`COPY (SELECT DISTINCT * FROM read_csv(${quote(dir + '/*.csv')})) TO ${quote(out)} (HEADER)`);
