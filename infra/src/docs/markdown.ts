import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import MarkdownIt from 'markdown-it';

/** One table cell: its Markdown as written, and the code spans in it (`` `user.created` ``). */
export interface Cell {
  text: string;
  code: string[];
}

export interface Table {
  header: string[];
  rows: Cell[][];
}

/** What the repository checks read from a Markdown file. */
export interface MarkdownFacts {
  /** Link and image targets, as written. */
  links: string[];
  /** The anchors GitHub gives the headings (`## Live updates (\`GET /live\`)` → `live-updates-get-live`). */
  anchors: Set<string>;
  tables: Table[];
  /** Every inline code span outside tables and fenced blocks included, in order. */
  codeSpans: string[];
}

type Token = MarkdownIt.Token;

// html: comments and inline HTML are HTML, not text; CommonMark with GitHub's tables.
const markdown = new MarkdownIt({ html: true });

/**
 * GitHub's heading anchors (github-slugger's rule): lower case, every character that is not a
 * letter, mark, number, connector, space or hyphen dropped, spaces made hyphens, repeats numbered.
 */
function anchorOf(text: string, seen: Map<string, number>): string {
  const base = text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
  const count = seen.get(base) ?? 0;
  seen.set(base, count + 1);
  return count === 0 ? base : `${base}-${count}`;
}

/** The text a reader sees of an inline token: text and code, without the Markdown. */
function plainText(inline: Token): string {
  return (inline.children ?? [])
    .filter((t) => t.type === 'text' || t.type === 'code_inline')
    .map((t) => t.content)
    .join('');
}

function codeOf(inline: Token): string[] {
  return (inline.children ?? []).filter((t) => t.type === 'code_inline').map((t) => t.content);
}

export function readMarkdown(text: string): MarkdownFacts {
  const tokens = markdown.parse(text, {});
  const facts: MarkdownFacts = { links: [], anchors: new Set(), tables: [], codeSpans: [] };
  const seen = new Map<string, number>();
  let table: Table | undefined;
  let row: Cell[] | undefined;
  let inHeader = false;
  tokens.forEach((token, index) => {
    switch (token.type) {
      case 'heading_open':
        facts.anchors.add(anchorOf(plainText(tokens[index + 1]!), seen));
        break;
      case 'table_open':
        table = { header: [], rows: [] };
        facts.tables.push(table);
        break;
      case 'thead_open':
        inHeader = true;
        break;
      case 'thead_close':
        inHeader = false;
        break;
      case 'tr_open':
        row = [];
        break;
      case 'tr_close':
        if (table && row && !inHeader) table.rows.push(row);
        row = undefined;
        break;
      case 'table_close':
        table = undefined;
        break;
      case 'inline': {
        const cell = tokens[index - 1]?.type;
        if (table && (cell === 'th_open' || cell === 'td_open')) {
          if (inHeader) table.header.push(plainText(token).trim());
          else row?.push({ text: token.content.trim(), code: codeOf(token) });
        }
        for (const child of token.children ?? []) {
          if (child.type === 'code_inline') facts.codeSpans.push(child.content);
          if (child.type === 'link_open') facts.links.push(String(child.attrGet('href') ?? ''));
          if (child.type === 'image') facts.links.push(String(child.attrGet('src') ?? ''));
        }
        break;
      }
    }
  });
  return facts;
}

/** The table whose header row is exactly `header`; throws if there is none or more than one. */
export function tableWithHeader(facts: MarkdownFacts, header: string[]): Table {
  const found = facts.tables.filter((t) => t.header.join('|') === header.join('|'));
  if (found.length !== 1) {
    throw new Error(`expected one table with the header | ${header.join(' | ')} |, found ${found.length}`);
  }
  return found[0]!;
}

const markdownCache = new Map<string, MarkdownFacts>();

function factsOfFile(file: string): MarkdownFacts {
  let facts = markdownCache.get(file);
  if (!facts) {
    facts = readMarkdown(readFileSync(file, 'utf8'));
    markdownCache.set(file, facts);
  }
  return facts;
}

/**
 * What is wrong with a link in `file` (in the repository at `root`), or undefined if it leads
 * somewhere: a file or folder inside the repository and, for an anchor into Markdown, a heading
 * there. Web links are not followed (the tests run offline).
 */
export function brokenLink(root: string, file: string, href: string): string | undefined {
  if (/^(https?:|mailto:)/i.test(href)) return undefined;
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return `${href}: not a web link or a path in the repository`;
  const hash = href.indexOf('#');
  const path = decodeURIComponent(hash === -1 ? href : href.slice(0, hash));
  const anchor = hash === -1 ? undefined : decodeURIComponent(href.slice(hash + 1));
  if (isAbsolute(path)) return `${href}: an absolute path (links are relative to the file)`;
  const target = path === '' ? file : resolve(dirname(file), path);
  const inside = relative(root, target);
  if (inside.startsWith('..') || isAbsolute(inside)) return `${href}: leads outside the repository`;
  if (!existsSync(target)) return `${href}: ${inside} does not exist`;
  if (anchor !== undefined && statSync(target).isFile() && target.endsWith('.md')) {
    if (!factsOfFile(target).anchors.has(anchor)) return `${href}: ${inside} has no heading #${anchor}`;
  }
  return undefined;
}

/** `brokenLink` for every link of a Markdown file. */
export function brokenLinks(root: string, file: string): string[] {
  return factsOfFile(file)
    .links.map((href) => brokenLink(root, file, href))
    .filter((problem): problem is string => problem !== undefined);
}
