using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using StackScope.Contracts;

namespace StackScope.Server.Api;

/// <summary>
/// Makes /openapi/v1.json describe the API as it answers: the wire's timestamp form, strict numbers, the query
/// parameters the handlers read, the bearer and session-cookie schemes, and no server URL (the generator echoed the
/// request's Host header into it).
/// </summary>
internal static class OpenApiSetup
{
    public const string BearerScheme = "bearer";
    public const string CookieScheme = "session";

    /// <summary>The wire's timestamp: UTC, <c>YYYY-MM-DD HH:MM:SS</c>, not ISO 8601 date-time.</summary>
    private const string WireTimePattern = @"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$";

    public static IServiceCollection AddStackScopeOpenApi(this IServiceCollection services)
    {
        // Numbers are numbers on the wire (the contract's Strict number handling), never strings.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [BearerScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        Description = "An agent token (ssa_…, ingest) or a read token (ssr_…, queries) from ss-server agent|token add.",
                    },
                    [CookieScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.ApiKey,
                        In = ParameterLocation.Cookie,
                        Name = "ss_session",
                        Description = "The dashboard's session cookie, set by POST /api/v1/auth/sign-in.",
                    },
                };
                return Task.CompletedTask;
            });
            o.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonPropertyInfo?.Name is "ser_get_datetime" or "con_get_datetime")
                {
                    schema.Type = JsonSchemaType.String;
                    schema.Format = null;
                    schema.Pattern = WireTimePattern;
                    schema.Description = "UTC, YYYY-MM-DD HH:MM:SS";
                }

                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToList();
                if (policies.Count > 0)
                {
                    // As the policies admit: agents by token only, admins by an admin's session only, readers by either.
                    var bearer = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] };
                    var cookie = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(CookieScheme, context.Document)] = [] };
                    operation.Security = policies.Contains(Auth.AuthSchemes.AgentPolicy) ? [bearer]
                        : policies.Contains(Auth.AuthSchemes.AdminPolicy) ? [cookie]
                        : [bearer, cookie];
                    if (policies.Contains(Auth.AuthSchemes.AdminPolicy))
                    {
                        operation.Description = (operation.Description is { Length: > 0 } d ? d + " " : "") +
                            "Admins only: the session of a user with the admin role, with the X-CSRF-TOKEN header; 403 for anyone else.";
                    }
                }

                foreach (var parameter in metadata.OfType<QueryParameterDoc>())
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = parameter.Name,
                        In = ParameterLocation.Query,
                        Required = false,
                        Description = parameter.Description,
                        Schema = parameter.Kind switch
                        {
                            QueryParameterKind.Integer => new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
                            QueryParameterKind.Time => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
                            _ => new OpenApiSchema { Type = JsonSchemaType.String },
                        },
                    });
                }

                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>The error answers every endpoint of a group may give, all in the envelope.</summary>
    public static RouteHandlerBuilder ProducesErrors(this RouteHandlerBuilder builder, params int[] statusCodes)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var status in statusCodes)
        {
            builder.Produces<ApiEnvelope<string>>(status);
        }

        return builder;
    }

    /// <summary>Documents query parameters that the handler reads from the query string itself.</summary>
    public static RouteHandlerBuilder WithQueryParameters(this RouteHandlerBuilder builder, params QueryParameterDoc[] parameters)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata([.. parameters]);
    }
}

internal enum QueryParameterKind
{
    Integer,
    Time,
    Text,
}

/// <summary>A query-string parameter a handler reads by hand, for the OpenAPI document.</summary>
internal sealed record QueryParameterDoc(string Name, QueryParameterKind Kind, string Description)
{
    public static readonly QueryParameterDoc Page = new("page", QueryParameterKind.Integer, "Page number, from 1.");
    public static readonly QueryParameterDoc Size = new("size", QueryParameterKind.Integer, "Page size, 1-200 (default 50).");
    public static readonly QueryParameterDoc From = new("from", QueryParameterKind.Time, "Start, ISO 8601 (default: to - 1 h); 2000-2100.");
    public static readonly QueryParameterDoc To = new("to", QueryParameterKind.Time, "End, ISO 8601 (default: now); at most 31 days after from.");
    public static readonly QueryParameterDoc Step = new("step", QueryParameterKind.Integer, "Bucket width in seconds, 1-86400; at most 1000 buckets.");
    public static readonly QueryParameterDoc ContainerName = new("name", QueryParameterKind.Text, "Case-insensitive substring of the container name.");
    public static readonly QueryParameterDoc ContainerStatus = new("status", QueryParameterKind.Text, "The container's state word, e.g. running.");
    public static readonly QueryParameterDoc Namespace = new("namespace", QueryParameterKind.Text, "Only the containers of this Kubernetes namespace (exact).");
    public static readonly QueryParameterDoc Pod = new("pod", QueryParameterKind.Text, "Only the containers of this Kubernetes pod (exact name).");
    public static readonly QueryParameterDoc EventContainer = new("container", QueryParameterKind.Text, "Only this container's events (exact name).");
}
