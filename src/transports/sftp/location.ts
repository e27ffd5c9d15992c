/** How an SFTP mailbox is named in delivery rows and messages (no credentials): sftp://user@host:port/dir. */
export function sftpLocation(s: {
  host: string;
  port: number;
  username: string;
  outboundDir: string;
}): string {
  const host = s.host.includes(':') ? `[${s.host}]` : s.host;
  const dir = s.outboundDir.startsWith('/') ? s.outboundDir : `/~/${s.outboundDir}`;
  return `sftp://${encodeURIComponent(s.username)}@${host}:${s.port}${dir}`;
}
