import type { Element, Root, RootContent } from 'hast';
import rehypeSanitize from 'rehype-sanitize';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';

/** A comment's body as its readers see it: the text on the page and the links they can follow. */
export interface RenderedText {
  text: string;
  links: string[];
}

// The client's Markdown component renders with react-markdown: remark-parse, remark-gfm,
// remark-rehype without raw HTML (skipHtml) and rehype-sanitize. The same pipeline here, so a rule
// reads what a reader reads: `or&#97;nge` and `**or**ange` are "orange", `[x](&#104;ttps://…)` a link.
const processor = unified().use(remarkParse).use(remarkGfm).use(remarkRehype).use(rehypeSanitize).freeze();

// Elements that start a new line or block on the page: their text never runs into a neighbour's.
const breaking = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'td',
  'th',
  'tr',
  'ul',
]);

// Characters that take no space on the page: zero-width spaces and joiners, soft hyphens, bidi
// controls, the BOM (Unicode's Cf category), and variation selectors.
const invisible = /[\p{Cf}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}\u034F\u115F\u1160\u3164\uFFA0]/gu;

/** Renders a Markdown body the way the client does and returns its visible text (NFKC) and links. */
export function renderedText(markdown: string): RenderedText {
  const tree = processor.runSync(processor.parse(markdown)) as Root;
  const parts: string[] = [];
  const links: string[] = [];
  const visit = (node: Root | RootContent) => {
    if (node.type === 'text') parts.push(node.value);
    if (node.type !== 'element' && node.type !== 'root') return;
    const element = node.type === 'element' ? (node as Element) : undefined;
    if (element?.tagName === 'a' && typeof element.properties.href === 'string') links.push(element.properties.href);
    if (element?.tagName === 'img' && typeof element.properties.alt === 'string') parts.push(element.properties.alt);
    const breaks = element !== undefined && breaking.has(element.tagName);
    if (breaks) parts.push('\n');
    for (const child of node.children) visit(child);
    if (breaks) parts.push('\n');
  };
  visit(tree);
  const text = parts.join('').replace(invisible, '').normalize('NFKC');
  return { text: text.replace(/\s*\n\s*/g, '\n').trim(), links };
}
