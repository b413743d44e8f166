using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace StackScope.Tests.Common;

/// <summary>A browser-like client signed in as a user, sending the session's CSRF token on every request.</summary>
public static class AdminSession
{
    public static Task<HttpClient> SignInAsync(Uri baseAddress, string username, string password) =>
        SignInAsync(baseAddress, username, password, new CookieContainer());

    /// <summary>Signed in with its cookies in <paramref name="cookies"/>, for a test that replays them.</summary>
    public static async Task<HttpClient> SignInAsync(Uri baseAddress, string username, string password, CookieContainer cookies)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var csrf = await CsrfAsync(client);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/sign-in")
        {
            Content = new StringContent(new JsonObject { ["username"] = username, ["password"] = password }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-CSRF-TOKEN", csrf);
        var answer = await client.SendAsync(request);
        if (answer.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"sign-in as {username}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        }

        client.DefaultRequestHeaders.Add("X-CSRF-TOKEN", await CsrfAsync(client));
        return client;
    }

    private static async Task<string> CsrfAsync(HttpClient client)
    {
        var session = await client.GetFromJsonAsync<JsonObject>("/api/v1/auth/session");
        return (string)session!["data"]!["csrfToken"]!;
    }

    public static StringContent Yaml(string yaml) => new(yaml, Encoding.UTF8, "application/yaml");

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
