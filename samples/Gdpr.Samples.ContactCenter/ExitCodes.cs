using Microsoft.Data.Sqlite;

namespace Gdpr.Samples.ContactCenter;

/// <summary>
/// The sample's exit codes, one per kind of outcome, so a script can tell a bad signature from a broken database.
/// <c>--help</c> prints this table; README.md lists it too.
/// </summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary><c>verify</c>: the certificate's signature does not verify with that public key.</summary>
    public const int SignatureInvalid = 1;

    /// <summary>Bad arguments, an unknown customer or request, a missing input file, or no database (or keys) at <c>--db</c>.</summary>
    public const int Usage = 2;

    /// <summary>The SDK refused (a <see cref="GdprException"/>: its message names entity, member, scope or a request's rule, never personal data).</summary>
    public const int Sdk = 3;

    /// <summary>A file-system error: <c>--db</c> is a folder, a file cannot be read or written, permission denied.</summary>
    public const int FileSystem = 4;

    /// <summary>An erasure (also a request's), a sweep or a migrate did not complete; running it again finishes it.</summary>
    public const int Incomplete = 5;

    /// <summary>The database cannot be used: not a SQLite file, corrupt or truncated, or not this sample's database.</summary>
    public const int Database = 6;

    /// <summary>
    /// <c>migrate</c> stopped before dropping the plaintext columns: rows without a customer number were refused (or the
    /// verification failed); give them one and run <c>migrate</c> again, which continues where it stopped.
    /// </summary>
    public const int MigrationStopped = 7;

    /// <summary>Anything else: a bug in the sample.</summary>
    public const int Unexpected = 70;

    /// <summary>Gets the table <c>--help</c> prints.</summary>
    public static string HelpText { get; } = """
        Exit codes:
          0   done
          1   verify: the certificate's signature does not verify with that public key
          2   bad arguments, unknown customer or request, missing input file, or no database (or keys) at --db
          3   the SDK refused (its message names entity, member, scope or a request's rule, never personal data)
          4   file-system error: --db is a folder, a file cannot be read or written, permission denied
          5   an erasure (also a request's), a sweep or a migrate did not complete; run it again to finish it
          6   the database cannot be used: not a SQLite file, corrupt or truncated, or not this sample's
          7   migrate stopped before dropping the plaintext columns: rows without a customer number (listed);
              give them one and run migrate again
          70  unexpected error (a bug in the sample)
        """;

    /// <summary>Maps an error to its exit code and the one line printed on stderr (no stack trace).</summary>
    /// <param name="error">The error.</param>
    /// <param name="databasePath">The --db path, named in database errors.</param>
    /// <returns>The exit code and the line, without the "error: " prefix.</returns>
    public static (int Code, string Message) Describe(Exception error, string databasePath)
    {
        ArgumentNullException.ThrowIfNull(error);
        switch (error)
        {
            case SampleInputException:
                return (Usage, error.Message);
            case SampleFileSystemException:
                return (FileSystem, error.Message);
            case SampleDatabaseException:
                return (Database, error.Message);
            case Gdpr.Requests.DataSubjectRequestNotFoundException:
                return (Usage, error.Message);
            case Gdpr.Requests.RequestTransitionRefusedException { Rule: Gdpr.Requests.RequestRules.ErasureIncomplete }:
                return (Incomplete, error.Message);
        }

        // A database error can arrive wrapped (EF's DbUpdateException, an SDK store error): the cause decides.
        if (Find<SqliteException>(error) is { } sqlite)
        {
            return (Database, $"the database at {Path.GetFullPath(databasePath)} cannot be used: {OneLine(sqlite.Message)} (is it this sample's SQLite file?)");
        }

        if (Find<IOException>(error) is { } io)
        {
            return (FileSystem, OneLine(io.Message));
        }

        if (Find<UnauthorizedAccessException>(error) is { } denied)
        {
            return (FileSystem, OneLine(denied.Message));
        }

        if (error is GdprException)
        {
            // SDK errors name entities, members and pseudonyms, never personal data: safe to print.
            return (Sdk, OneLine(error.Message));
        }

        // Not the message: an unknown error may carry values; its type is enough to report the bug.
        return (Unexpected, $"unexpected {error.GetType().FullName} (a bug in the sample)");
    }

    private static T? Find<T>(Exception error)
        where T : Exception
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }

            if (e is AggregateException { InnerExceptions.Count: > 0 } aggregate && Find<T>(aggregate.InnerExceptions[0]) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
