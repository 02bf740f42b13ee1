import type { TextPart } from '@/lib/types';

/** A highlighted text from the search API: each part as text, the matched words in <mark> (never HTML from the API). */
export function Highlighted({ parts }: { parts: TextPart[] }) {
  return (
    <>{parts.map((part, i) => (part.mark ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}</>
  );
}
