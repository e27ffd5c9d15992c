/**
 * Which masker a stored copy goes through (see each codec's mask.ts): credentials are overwritten
 * byte for byte, everything else stays as received or sent; the document's sha256 is of the exact
 * bytes, taken before masking.
 */
import { maskCxmlSecrets } from '../../protocols/cxml/mask';
import { maskOciPassword } from '../../protocols/oci/mask';
import { maskX12Secrets } from '../../protocols/x12/mask';

export function maskSecrets(protocol: string | undefined, contentType: string, content: Buffer): Buffer {
  const type = contentType.toLowerCase();
  if (type.includes('x-www-form-urlencoded')) return maskOciPassword(content);
  if (protocol === 'x12' || type.includes('x12') || type.includes('edi')) return maskX12Secrets(content);
  if (protocol === 'cxml' || type.includes('xml')) return maskCxmlSecrets(content);
  return content;
}
