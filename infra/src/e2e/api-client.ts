// Responses are whatever JSON the API answers; tests narrow them with their own types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/**
 * A tiny HTTP client for end-to-end tests: one signed-in (or anonymous) user
 * talking to the platform through the gateway, keeping its session cookie.
 */
export class ApiUser {
  private cookie?: string;

  constructor(
    private readonly baseUrl: string,
    readonly name = 'anonymous',
  ) {}

  async request<T = Json>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(this.cookie ? { Cookie: this.cookie } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie?.startsWith('session=')) this.cookie = setCookie.split(';')[0];
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** Like `request`, but fails the test unless the status is the expected one. */
  async expect<T = Json>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request<T>(method, path, body);
    if (res.status !== status) {
      throw new Error(
        `${this.name}: ${method} ${path} answered ${res.status}, expected ${status}: ${JSON.stringify(res.body)}`,
      );
    }
    return res.body;
  }

  static async signUp(baseUrl: string, username: string): Promise<ApiUser & { id: string }> {
    const user = new ApiUser(baseUrl, username) as ApiUser & { id: string };
    const created = await user.expect(201, 'POST', '/api/users/signup', {
      email: `${username}@example.test`,
      username,
      password: 'correct horse battery',
    });
    user.id = created.id;
    return user;
  }
}
