import { readFileSync, writeFileSync } from 'node:fs';
import { renderEnvExample, withConfigTable } from '../src/config/config-docs';
import { withDiagrams } from './readme-diagrams';

/** Regenerates .env.example, the README's configuration table and its embedded diagrams. */
writeFileSync('.env.example', renderEnvExample());
writeFileSync(
  'README.md',
  withDiagrams(withConfigTable(readFileSync('README.md', 'utf8')), 'diagrams'),
);
process.stdout.write('Wrote .env.example, and the configuration table and diagrams in README.md\n');
