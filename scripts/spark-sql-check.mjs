// Parses SQL files with the Spark SQL grammar of dt-sql-parser, so "Spark SQL accepts it" is checked, not hoped.
//   node scripts/spark-sql-check.mjs PARSER_DIR FILE.sql...
// PARSER_DIR holds node_modules/dt-sql-parser (scripts/ci-setup.sh installs it). Prints "OK file" or
// "ERROR file:line:column message" per file; exits 1 when any file does not parse.
import { register } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The package's ES modules import directories and extensionless paths (written for bundlers): resolve them as
// a bundler would.
const resolver = `
export async function resolve(specifier, context, next) {
  try { return await next(specifier, context); }
  catch (error) {
    if (!specifier.startsWith('.')) throw error;
    for (const suffix of ['.js', '/index.js']) {
      try { return await next(specifier + suffix, context); } catch {}
    }
    throw error;
  }
}`;
register('data:text/javascript,' + encodeURIComponent(resolver));

const [parserDir, ...files] = process.argv.slice(2);
if (!parserDir || files.length === 0) {
  console.error('usage: node spark-sql-check.mjs PARSER_DIR FILE.sql...');
  process.exit(2);
}
const entry = join(parserDir, 'node_modules', 'dt-sql-parser', 'dist', 'index.js');
const { SparkSQL } = await import(pathToFileURL(entry).href);
const spark = new SparkSQL();
let failed = false;
for (const file of files) {
  const errors = spark.validate(readFileSync(file, 'utf8'));
  if (errors.length === 0) { console.log(`OK ${file}`); continue; }
  failed = true;
  for (const e of errors) console.log(`ERROR ${file}:${e.startLine}:${e.startColumn} ${e.message}`);
}
process.exit(failed ? 1 : 0);
