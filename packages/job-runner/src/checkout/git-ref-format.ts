// A simplified `git check-ref-format --allow-onelevel`, as the real agent uses
// before `git checkout <ref>`: two dots, control characters, space ~ ^ :, a
// trailing dot, a lone `@`, a backslash, and (so a ref can never be read as an
// option) a leading `-`.
const DENIED = /\.\.|[\x00-\x1f\x7f]|[ ~^:]|\.$|^@$|\\|^-/;

/** Whether `ref` may be passed to `git checkout` (a sha, branch, tag or `FETCH_HEAD`). */
export function isValidGitRef(ref: string): boolean {
  return ref !== "" && !DENIED.test(ref);
}
