/**
 * The login form: the API token, entered once; the server answers with the session cookie.
 *
 * @module
 */
import type { FC } from "hono/jsx";
import { Layout, type PageContext } from "./layout.tsx";

/** The login page, with the reason the last attempt failed, if any. */
export const LoginPage: FC<{ page: PageContext; next: string; problem?: string }> = (
  { page, next, problem },
) => (
  <Layout page={page} title="Sign in" section="login">
    <form method="post" action="/login" class="login">
      <h1>Sign in</h1>
      <p>
        Enter the server's API token (<code>OMIGA_TOKEN</code>).
      </p>
      {problem === undefined ? null : <p class="error" role="alert">{problem}</p>}
      <input type="hidden" name="next" value={next} />
      <label>
        token{" "}
        <input type="password" name="token" autocomplete="current-password" required autofocus />
      </label>
      <button type="submit">Sign in</button>
    </form>
  </Layout>
);
