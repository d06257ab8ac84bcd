namespace Gdpr.Samples.ContactCenter.Model.Legacy;

// The contact center as it was before the SDK: the same tables and column names as Model/Entities.cs, every value in
// plaintext, no attribute. Some rows have no customer number (the migration's pass refuses them until they get one).

/// <summary>A customer before the SDK.</summary>
public sealed class LegacyCustomer
{
    public int Id { get; set; }

    public string? CustomerNumber { get; set; }

    public string FullName { get; set; } = "";

    public string? Address { get; set; }

    public string? Phone { get; set; }

    public string? Email { get; set; }

    public DateOnly? DateOfBirth { get; set; }
}

/// <summary>A chat session before the SDK.</summary>
public sealed class LegacyChatSession
{
    public int Id { get; set; }

    public string? CustomerNumber { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public string? WebsiteCookieId { get; set; }

    public string? IpAddress { get; set; }

    public string Transcript { get; set; } = "";
}

/// <summary>A phone call before the SDK.</summary>
public sealed class LegacyCallRecord
{
    public int Id { get; set; }

    public string? CustomerNumber { get; set; }

    public DateTimeOffset CalledAt { get; set; }

    public int DurationSeconds { get; set; }

    public string CallerNumber { get; set; } = "";

    public byte[]? Recording { get; set; }
}

/// <summary>An invoice before the SDK.</summary>
public sealed class LegacyInvoice
{
    public int Id { get; set; }

    public string? CustomerNumber { get; set; }

    public string InvoiceNumber { get; set; } = "";

    public DateOnly InvoiceDate { get; set; }

    public string BilledName { get; set; } = "";

    public string BillingAddress { get; set; } = "";

    public decimal Amount { get; set; }
}

/// <summary>An interest profile before the SDK.</summary>
public sealed class LegacyInterestProfile
{
    public int Id { get; set; }

    public string? CustomerNumber { get; set; }

    public string Interests { get; set; } = "";
}
