import { assertEquals } from "../../assert.ts";
import { tokenMatches } from "../../../handlers/auth/mod.ts";

Deno.test("a token matches only itself: not a prefix, an extension, a case change or nothing", () => {
  const expected = new TextEncoder().encode("s3cret-Token");
  assertEquals(tokenMatches(expected, "s3cret-Token"), true);
  for (const other of ["s3cret-Toke", "s3cret-Token!", "s3cret-token", "", "x".repeat(500)]) {
    assertEquals(tokenMatches(expected, other), false, other);
  }
});
