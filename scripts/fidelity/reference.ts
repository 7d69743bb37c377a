/**
 * Where a fidelity script finds the reference implementation it compares with: a git directory of
 * the public repository (`git clone --bare https://github.com/OWNER/NAME /tmp/ref.git`), given as
 * `--mirror DIR` or in the environment variable named by the script. The Python side reads the
 * files it needs from there at run time; nothing of the reference is kept in this project.
 *
 * @module
 */

/** The git directory from `flag` or `variable`; an error that says how to get one otherwise. */
export function referenceRepository(
  flag: string | undefined,
  variable: string,
  repository: string,
): string {
  const found = flag ?? Deno.env.get(variable);
  if (found === undefined) {
    throw new Error(
      `give the reference's git directory: git clone --bare https://github.com/${repository} ` +
        `/tmp/ref.git, then --mirror /tmp/ref.git (or ${variable}=/tmp/ref.git)`,
    );
  }
  return found;
}
