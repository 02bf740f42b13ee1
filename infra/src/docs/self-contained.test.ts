import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, trackedFiles } from './code-facts';
import { brokenLinks } from './markdown';

/**
 * A clone of the repository, with nothing beside it, has everything its tests, builds and
 * documents refer to. The architecture contract began as a file shared beside the repository;
 * the repository's own is docs/architecture.md, and nothing may lead back to the old one.
 */
const tracked = trackedFiles();

/** Written in pieces so that this file does not name them itself. */
const outside = [
  { what: 'the folder beside the repository', pattern: new RegExp(`\\.\\./${'shared'}(?![\\w-])`) },
  { what: 'the shared contract', pattern: new RegExp(`${'architecture'.toUpperCase()}\\.md`) },
];

describe('the repository on its own', () => {
  it('has no tracked file that reads, links or names what lies beside it', () => {
    const found: string[] = [];
    for (const file of tracked) {
      const bytes = readFileSync(join(root, file));
      if (bytes.includes(0)) continue; // binary: images, archives
      const text = bytes.toString('utf8');
      for (const { what, pattern } of outside) if (pattern.test(text)) found.push(`${file}: ${what}`);
    }
    expect(found).toEqual([]);
  });

  it('has Markdown whose links lead to files and headings inside it', () => {
    const markdown = tracked.filter((file) => file.endsWith('.md'));
    expect(markdown).toContain('docs/architecture.md');
    expect(markdown.flatMap((file) => brokenLinks(root, join(root, file)).map((p) => `${file}: ${p}`))).toEqual([]);
  });

  it('is linked to its architecture document from the README', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('](docs/architecture.md');
  });
});
