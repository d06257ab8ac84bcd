namespace Gdpr.Keys;

/// <summary>Creates the folders that hold key files: on Unix, readable, writable and listable by the owner only (0700).</summary>
internal static class OwnerOnlyDirectory
{
    internal const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="path"/> (and missing parents) owner-only; an existing folder keeps its mode.</summary>
    public static void Create(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // Windows: the new folder inherits its parent's ACL; the user profile's temp and app-data folders are private.
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, Mode);
        }
    }
}
