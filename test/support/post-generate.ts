/** Posts a Connect `Generate` call in JSON that says "hi", to the server at `baseUrl`, with `authorization` when given. */
export function postGenerate(baseUrl: string, authorization?: string): Promise<Response> {
  return fetch(`${baseUrl}/tokenwire.v1.TokenService/Generate`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ generation: { prompt: "hi" } }),
  });
}
