import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The README embeds each Mermaid source from diagrams/ between `<!-- diagram:NAME -->` and
 * `<!-- /diagram -->`, so GitHub renders it and it cannot drift from the .mmd file.
 */
const BLOCK = /<!-- diagram:([a-z0-9-]+) -->\n[\s\S]*?<!-- \/diagram -->/g;

export function withDiagrams(readme: string, diagramsDir: string): string {
  return readme.replace(BLOCK, (_match, name: string) => {
    const source = readFileSync(join(diagramsDir, `${name}.mmd`), 'utf8').trimEnd();
    return `<!-- diagram:${name} -->\n\`\`\`mermaid\n${source}\n\`\`\`\n<!-- /diagram -->`;
  });
}
