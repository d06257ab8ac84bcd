namespace Gdpr.Samples.ContactCenter;

/// <summary>A path that is there but unusable (a folder as --db): one line, with <see cref="ExitCodes.FileSystem"/>.</summary>
public sealed class SampleFileSystemException(string message) : Exception(message);
