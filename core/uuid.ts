/** Lower-case hex of `bytes`, in order (how `ArtifactHash` prints). */
export function hexOf(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * `uuid::Builder::from_random_bytes(bytes).into_uuid()`, printed as `Uuid` displays it
 * (uuid 1.12–1.17, src/builder.rs): version 4 in byte 6's high nibble, the RFC 4122
 * variant in byte 8's two high bits, lower-case 8-4-4-4-12.
 */
export function uuidFromRandomBytes(random: Uint8Array): string {
  if (random.length !== 16) throw new RangeError(`a UUID is 16 bytes, got ${random.length}`);
  const bytes = Uint8Array.from(random);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = hexOf(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
