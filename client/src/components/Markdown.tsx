import ReactMarkdown from 'react-markdown';
import rehypeSanitize from 'rehype-sanitize';
import remarkGfm from 'remark-gfm';

/**
 * Renders untrusted Markdown (post bodies, comments, previews). Raw HTML in
 * the source is never parsed into elements (no rehype-raw), and
 * rehype-sanitize's GitHub schema strips what Markdown itself can produce
 * dangerously (javascript: links, event handlers), so nothing written by a
 * user ever runs as script.
 */
export function Markdown({ source, compact = false }: { source: string; compact?: boolean }) {
  return (
    <div className={compact ? 'prose prose-compact' : 'prose'}>
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        rehypePlugins={[rehypeSanitize]}
        skipHtml
        components={{
          // Links from users open normally but never pass the page's authority along.
          a: ({ node: _node, ...props }) => <a {...props} rel="nofollow noopener noreferrer ugc" />,
          img: ({ node: _node, alt, ...props }) => (
            <img {...props} alt={alt ?? ''} loading="lazy" referrerPolicy="no-referrer" />
          ),
        }}
      >
        {source}
      </ReactMarkdown>
    </div>
  );
}
