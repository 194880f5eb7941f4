import { readdirSync } from 'node:fs';

/**
 * The README shows each diagram of diagrams/ as its rendered SVG, `![…](diagrams/NAME.svg)`; the
 * Mermaid source stays beside it (scripts/check-delivery.sh checks the SVG is rendered from it).
 * Returns the diagrams the README does not show, and the SVGs it shows that have no source.
 */
export function diagramDrift(
  readme: string,
  diagramsDir: string,
): { notShown: string[]; noSource: string[] } {
  const sources = readdirSync(diagramsDir)
    .filter((file) => file.endsWith('.mmd'))
    .map((file) => file.slice(0, -'.mmd'.length));
  const shown = [...readme.matchAll(/!\[[^\]]+\]\(diagrams\/([a-z0-9-]+)\.svg\)/g)].map(
    (m) => m[1],
  );
  return {
    notShown: sources.filter((name) => !shown.includes(name)),
    noSource: shown.filter((name) => !sources.includes(name)),
  };
}
