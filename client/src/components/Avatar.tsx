/** A user's picture, or their initial on a colour derived from the name when they have none (or it fails to load). */
export function Avatar({
  username,
  image,
  size = 'md',
}: {
  username: string;
  image?: string;
  size?: 'sm' | 'md' | 'lg';
}) {
  const hue = [...username].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);
  const initial = (username[0] ?? '?').toUpperCase();
  return (
    <span className={`avatar avatar-${size}`} style={{ ['--avatar-hue' as string]: hue }} aria-hidden="true">
      {initial}
      {image ? <img src={image} alt="" referrerPolicy="no-referrer" loading="lazy" /> : null}
    </span>
  );
}
