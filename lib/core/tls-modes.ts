import { z } from 'zod';

// No node: imports here: the dashboard's form (a client component) reads these.

/**
 * How a connection uses TLS, as the mysql client's `--ssl-mode` names it:
 * - `off`: plain TCP;
 * - `required`: encrypted, but the server's certificate is not checked (stops eavesdroppers, not impostors);
 * - `verify-ca`: encrypted, and the certificate must chain to the given CA;
 * - `verify-identity`: as verify-ca, and the certificate must also name the host connected to.
 */
export const TlsMode = z.enum(['off', 'required', 'verify-ca', 'verify-identity']);
export type TlsMode = z.infer<typeof TlsMode>;

/** One line per mode, for the form and `--help`. */
export const TLS_MODE_WORDS: Record<TlsMode, string> = {
  off: 'No TLS: credentials and rows cross the network in the clear.',
  required: 'Encrypted, but the server certificate is not checked (stops eavesdroppers, not impostors).',
  'verify-ca': 'Encrypted, and the server certificate must be signed by the CA certificate given.',
  'verify-identity': 'As verify-ca, and the certificate must also name the host (DNS name or IP address).',
};
