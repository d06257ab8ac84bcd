namespace Gdpr.Samples.ContactCenter;

/// <summary>Bad input on the command line: the message is printed as one line, with <see cref="ExitCodes.Usage"/>.</summary>
public sealed class SampleInputException(string message) : Exception(message);
