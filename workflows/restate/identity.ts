/**
 * Request identity: Restate signs every request it sends to an endpoint with an Ed25519 private
 * key (its `request-identity-private-key-pem-file`), and the endpoint accepts only requests
 * signed by a key it knows (`OMIGA_RESTATE_IDENTITY_KEYS`, Restate's `publickeyv1_<base58>`
 * form). `deno task omiga restate up --identity` makes a key pair this way (docs/restate.md).
 *
 * @module
 */
import { join } from "node:path";

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/**
 * Bytes in base58 (the Bitcoin alphabet), as Restate writes public keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { base58 } from "./identity.ts";
 * assert.equal(base58(new TextEncoder().encode("Hello World!")), "2NEpo7TZRRrLZSi2U");
 * assert.equal(base58(new Uint8Array([0, 0, 1])), "112");
 * ```
 */
export function base58(bytes: Uint8Array): string {
  let value = 0n;
  for (const byte of bytes) value = value * 256n + BigInt(byte);
  let text = "";
  while (value > 0n) {
    text = BASE58[Number(value % 58n)] + text;
    value /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    text = "1" + text;
  }
  return text;
}

/** A request identity: the private key's PEM file (for Restate) and the public key (for endpoints). */
export interface RequestIdentity {
  privateKeyFile: string;
  /** `publickeyv1_...`, for `OMIGA_RESTATE_IDENTITY_KEYS`. */
  publicKey: string;
}

/**
 * The request identity kept in `dir` (`identity.pem` and `identity.pub`), made on first use: an
 * Ed25519 key pair from WebCrypto, the private key as PKCS#8 PEM (readable by its owner only).
 */
export async function requestIdentity(dir: string): Promise<RequestIdentity> {
  const privateKeyFile = join(dir, "identity.pem");
  const publicFile = join(dir, "identity.pub");
  try {
    return { privateKeyFile, publicKey: (await Deno.readTextFile(publicFile)).trim() };
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await Deno.mkdir(dir, { recursive: true });
  const keys = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", keys.publicKey));
  const body = btoa(String.fromCharCode(...pkcs8));
  await Deno.writeTextFile(
    privateKeyFile,
    `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`,
    { mode: 0o600 },
  );
  const publicKey = `publickeyv1_${base58(raw)}`;
  await Deno.writeTextFile(publicFile, `${publicKey}\n`);
  return { privateKeyFile, publicKey };
}
