import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEnvExample, withConfigTable } from './config-docs';
import { ENV_SCHEMA } from './env.schema';

const root = join(__dirname, '../..');

describe('configuration docs', () => {
  it('documents every variable of the schema with a description', () => {
    for (const [name, schema] of Object.entries(ENV_SCHEMA)) {
      expect({ name, description: schema.description }).toEqual({
        name,
        description: expect.any(String),
      });
    }
  });

  it('.env.example matches the schema (run npm run docs:config after changing it)', () => {
    expect(readFileSync(join(root, '.env.example'), 'utf8')).toBe(renderEnvExample());
  });

  it("the README's configuration table matches the schema (run npm run docs:config)", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(withConfigTable(readme)).toBe(readme);
  });
});
