import { readFileSync, writeFileSync } from 'node:fs';
import { renderEnvExample, withConfigTable } from '../src/config/config-docs';

/** Regenerates .env.example and the README's configuration table from the schema. */
writeFileSync('.env.example', renderEnvExample());
writeFileSync('README.md', withConfigTable(readFileSync('README.md', 'utf8')));
process.stdout.write('Wrote .env.example and the configuration table in README.md\n');
