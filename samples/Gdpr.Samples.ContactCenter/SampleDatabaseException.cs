namespace Gdpr.Samples.ContactCenter;

/// <summary>The database is there but in no state the verb can use: one line, with <see cref="ExitCodes.Database"/>.</summary>
public sealed class SampleDatabaseException(string message) : Exception(message);
