namespace Gdpr.Samples.ContactCenter;

/// <summary>Made-up people for the sample, derived from a number so that runs are repeatable.</summary>
internal sealed record FakePerson(string Name, string Address, string Phone, string Email, DateOnly DateOfBirth, string CookieId, string IpAddress, string Interests)
{
    private static readonly string[] GivenNames = ["Anna", "Bram", "Chantal", "Daan", "Eva", "Finn", "Gitte", "Hugo", "Iris", "Joost"];
    private static readonly string[] FamilyNames = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos"];
    private static readonly string[] Streets = ["Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsplein", "Schoolstraat"];
    private static readonly string[] Cities = ["Amsterdam", "Utrecht", "Zwolle", "Groningen", "Eindhoven"];
    private static readonly string[] Topics = ["cycling", "cooking", "travel", "gardening", "photography", "music"];

    public static FakePerson Create(int n)
    {
        var given = GivenNames[n % GivenNames.Length];
        var family = FamilyNames[(n / GivenNames.Length) % FamilyNames.Length];
        return new FakePerson(
            $"{given} {family} {n}",
            $"{Streets[n % Streets.Length]} {n % 200 + 1}, {1000 + n % 8999} AB {Cities[n % Cities.Length]}",
            $"+31 6 {10_000_000 + n * 7919 % 89_999_999:D8}",
            $"{given.ToLowerInvariant()}.{n}@mail.example",
            new DateOnly(1950 + n % 50, n % 12 + 1, n % 28 + 1),
            $"cc-{n * 2654435761L % 4294967296L:x8}-{n:x4}",
            $"192.0.2.{n % 254 + 1}",
            $"{Topics[n % Topics.Length]}, {Topics[(n + 2) % Topics.Length]}");
    }

    /// <summary>A few kilobytes standing in for a call recording (a WAV header and a tone).</summary>
    public static byte[] Recording(int n)
    {
        var audio = new byte[4_000];
        "RIFF"u8.CopyTo(audio);
        "WAVE"u8.CopyTo(audio.AsSpan(8));
        for (var i = 44; i < audio.Length; i++)
        {
            audio[i] = (byte)(128 + 100 * Math.Sin(i * (0.05 + n % 7 * 0.01)));
        }

        return audio;
    }
}
