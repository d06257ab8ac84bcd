namespace Gdpr.Streams;

/// <summary>The rule for object ids (EncryptedObjectAddress.ObjectId): they name files, so a safe, short charset.</summary>
internal static class ObjectId
{
    public const int MaxLength = 128;

    /// <summary>Throws when <paramref name="objectId"/> breaks the rule; the message never echoes the id (it might hold anything).</summary>
    public static void ThrowIfInvalid(string? objectId, string paramName = "objectId")
    {
        ArgumentException.ThrowIfNullOrEmpty(objectId, paramName);
        if (objectId.Length > MaxLength || objectId[0] == '.' || !IsSafe(objectId))
        {
            throw new ArgumentException($"An object id is 1 to {MaxLength} characters of A-Z a-z 0-9 . _ -, not starting with a dot.", paramName);
        }
    }

    private static bool IsSafe(string id)
    {
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
