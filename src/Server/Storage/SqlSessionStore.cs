using Dapper;

namespace StackScope.Server.Storage;

internal sealed class SqlSessionStore(SqlDatabase database) : ISessionStore
{
    public Task AddAsync(string sessionId, string username, DateTime createdAt, CancellationToken cancellationToken) =>
        database.RunAsync(connection => connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO auth_session(session_id, username, created_at) VALUES (@sessionId, @username, @at)",
            new { sessionId, username, at = database.Dialect.ToDbTime(createdAt) }, cancellationToken: cancellationToken)), cancellationToken);

    public Task<string?> FindUserAsync(string sessionId, CancellationToken cancellationToken) =>
        database.RunAsync(connection => connection.QueryFirstOrDefaultAsync<string?>(new CommandDefinition(
            // A removed user's sessions are deleted with it; the join also covers a row a crash left behind.
            "SELECT s.username FROM auth_session s JOIN app_user u ON u.username = s.username WHERE s.session_id = @sessionId",
            new { sessionId }, cancellationToken: cancellationToken)), cancellationToken);

    public Task RemoveAsync(string sessionId, CancellationToken cancellationToken) =>
        database.RunAsync(connection => connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM auth_session WHERE session_id = @sessionId", new { sessionId }, cancellationToken: cancellationToken)), cancellationToken);

    public Task<int> RemoveAllOfUserAsync(string username, CancellationToken cancellationToken) =>
        database.RunAsync(connection => connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM auth_session WHERE username = @username", new { username }, cancellationToken: cancellationToken)), cancellationToken);
}
