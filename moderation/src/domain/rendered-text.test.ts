import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderedText } from './rendered-text';

describe('renderedText', () => {
  it('gives the text on the page and the links a reader can follow', () => {
    expect(renderedText('A **bold** [link](https://x.example/a) and www.y.example.\n\n> quoted &amp; done')).toEqual({
      text: 'A bold link and www.y.example.\nquoted & done',
      links: ['https://x.example/a', 'http://www.y.example'],
    });
  });

  it('renders with the same packages, at the same versions, as the client readers use', () => {
    const root = join(__dirname, '..', '..', '..');
    const dependencies = (folder: string) =>
      (JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8')) as { dependencies: Record<string, string> })
        .dependencies;
    const client = dependencies('client');
    const moderation = dependencies('moderation');
    for (const shared of ['remark-gfm', 'rehype-sanitize']) expect(moderation[shared]).toBe(client[shared]);
    // react-markdown is unified with remark-parse and remark-rehype: the ranges it asks for.
    const reactMarkdown = dependencies('node_modules/react-markdown');
    for (const inner of ['unified', 'remark-parse', 'remark-rehype'])
      expect(moderation[inner]?.split('.')[0]).toBe(reactMarkdown[inner]?.split('.')[0]);
  });
});
