/** Minimal types for `bcrypt-pbkdf@1.0.2` (no `@types` package exists). Only `pbkdf` is used, by keys.ts. */
declare module 'bcrypt-pbkdf' {
  /** OpenBSD `bcrypt_pbkdf`: fills `key[0..keylen)`; returns 0 on success, -1 on bad arguments. */
  export function pbkdf(
    pass: Uint8Array,
    passlen: number,
    salt: Uint8Array,
    saltlen: number,
    key: Uint8Array,
    keylen: number,
    rounds: number,
  ): number;
  const bcryptPbkdf: { pbkdf: typeof pbkdf };
  export default bcryptPbkdf;
}
