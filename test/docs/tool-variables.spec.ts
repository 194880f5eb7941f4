import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** Set by the platform that runs the script, not by a user: CodeDeploy, the OS, image.env. */
const PROVIDED = new Set(['HOME', 'DEPLOYMENT_GROUP_NAME', 'LIFECYCLE_EVENT', 'GIT_SHA']);

/**
 * The variables a user can set for the project's tools: every `${NAME:-default}` of the shell
 * scripts and the compose file, and every variable `npm run dev:llm` reads.
 */
function toolVariables(): Map<string, string> {
  const files = [
    'docker/docker-compose.yml',
    '.ci/run',
    ...['scripts', 'scripts/codedeploy'].flatMap((dir) =>
      readdirSync(join(root, dir))
        .filter((name) => name.endsWith('.sh'))
        .map((name) => `${dir}/${name}`),
    ),
  ];
  const found = new Map<string, string>();
  for (const file of files) {
    for (const m of read(file).matchAll(/\$\{([A-Z][A-Z0-9_]*):-/g)) found.set(m[1], file);
  }
  for (const m of read('scripts/dev-llm.ts').matchAll(/setting\('[a-z-]+', '([A-Z0-9_]+)'/g)) {
    found.set(m[1], 'scripts/dev-llm.ts');
  }
  for (const name of PROVIDED) found.delete(name);
  return found;
}

describe('variables of the tools', () => {
  it('finds the variables the scripts read', () => {
    expect([...toolVariables().keys()]).toEqual(
      expect.arrayContaining(['DEV_LLM_PORT', 'GRAFANA_ADMIN_PASSWORD', 'VALIDATE_TIMEOUT_S']),
    );
  });

  it('the README documents every one of them', () => {
    const readme = read('README.md');
    const undocumented = [...toolVariables()]
      .filter(([name]) => !readme.includes(`\`${name}\``))
      .map(([name, file]) => `${name} (${file})`);
    expect(undocumented).toEqual([]);
  });
});
