namespace Gdpr.Storage.EfCore.Tests.Infrastructure;

/// <summary>
/// The one place the tests learn about the PostgreSQL server: its connection string, and whether it must be there.
/// Both database fixtures (a schema per test, <see cref="PostgresTestDatabase"/>; a database per test class,
/// <see cref="Keys.PostgresKeyStoreDatabase"/>) start from it.
/// </summary>
internal static class PostgresServer
{
    public const string EnvironmentVariable = "GDPR_TEST_POSTGRES";

    public const string HowToRun =
        "PostgreSQL tests need GDPR_TEST_POSTGRES (an Npgsql connection string). Run them with: export GDPR_TEST_POSTGRES=$(bash .ci/postgres.sh) && dotnet test tests/Gdpr.Storage.EfCore.Tests";

    /// <summary>Gets whether PostgreSQL must be there (CI sets GDPR_REQUIRE_POSTGRES=1): then a missing one fails, never skips.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("GDPR_REQUIRE_POSTGRES") == "1";

    /// <summary>The administrator connection string, or null when none is configured (and none is required).</summary>
    /// <exception cref="InvalidOperationException">None is configured but one is required.</exception>
    public static string? AdminConnectionString()
        => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } cs ? cs
           : Required ? throw new InvalidOperationException("GDPR_REQUIRE_POSTGRES=1 but " + HowToRun)
           : null;
}
