namespace Gdpr.Storage.EfCore.Keys;

/// <summary>The one time convention of the key store's tables.</summary>
internal static class KeyStoreTime
{
    /// <summary>UTC, to the microsecond: what every supported database keeps, so a time reads back as it was written.</summary>
    public static DateTimeOffset ToStored(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % 10), TimeSpan.Zero);
    }
}
