using Gdpr.Classification;
using Microsoft.EntityFrameworkCore;

namespace Gdpr.Storage.EfCore.Tests.TestModel;

public enum Tier : short
{
    Basic = 1,
    Gold = 2,
}

public sealed class Customer
{
    public int Id { get; set; }

    [DataSubjectId]
    public string CustomerNumber { get; set; } = "";

    [PersonalData(PersonalDataCategories.Email)]
    public string? Email { get; set; }

    [PersonalData(PersonalDataCategories.Name, Erasure = ErasureAction.Replace, Replacement = "[erased]")]
    public string Name { get; set; } = "";

    [PersonalData(PersonalDataCategories.Interests, RetentionPolicy = "marketing", Replacement = Tier.Basic)]
    public Tier Tier { get; set; }

    public Address? Address { get; set; }

    public List<Phone> Phones { get; set; } = [];

    public List<Conversation> Conversations { get; set; } = [];
}

/// <summary>Owned: takes its subject from the customer that owns it.</summary>
[Owned]
public sealed class Address
{
    [PersonalData(PersonalDataCategories.PostalAddress)]
    public string? Street { get; set; }

    public string? Country { get; set; }
}

/// <summary>Owned collection (a table of its own): takes its subject from the customer that owns it.</summary>
[Owned]
public sealed class Phone
{
    [PersonalData(PersonalDataCategories.Phone)]
    public string Number { get; set; } = "";

    public bool IsMobile { get; set; }
}

/// <summary>A separate table with its own subject column, rows deleted on erasure of the "chat" scope.</summary>
public sealed class Conversation
{
    public Guid Id { get; set; }

    public int CustomerId { get; set; }

    [DataSubjectId]
    public string CustomerNumber { get; set; } = "";

    [PersonalData(PersonalDataCategories.ChatTranscript, RetentionPolicy = "chat")]
    public string? Transcript { get; set; }

    [PersonalData(PersonalDataCategories.CallRecording, RetentionPolicy = "chat")]
    public byte[]? Recording { get; set; }
}

/// <summary>A subject id that is not a string: a Guid column.</summary>
public sealed class Ticket
{
    public long Id { get; set; }

    [DataSubjectId]
    public Guid AccountId { get; set; }

    [PersonalData(PersonalDataCategories.AgentNotes, Purposes = ["support"], LawfulBasis = LawfulBasis.LegitimateInterests, ProvidedBySubject = false)]
    public string? AgentNote { get; set; }
}

/// <summary>One member of every supported type, and the nullable forms.</summary>
public sealed class TypeSample
{
    public int Id { get; set; }

    [DataSubjectId]
    public string Subject { get; set; } = "";

    [PersonalData(PersonalDataCategories.Preferences)] public string Text { get; set; } = "";
    [PersonalData(PersonalDataCategories.Preferences)] public byte[] Bytes { get; set; } = [];
    [PersonalData(PersonalDataCategories.Preferences)] public byte U8 { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public sbyte I8 { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public short I16 { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public ushort U16 { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public int I32 { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public uint U32 { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public long I64 { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public ulong U64 { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public decimal Dec { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public bool Flag { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public DateTime When { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public DateTimeOffset WhenOffset { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public DateOnly Day { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public Guid Token { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public Tier Tier { get; set; }

    [PersonalData(PersonalDataCategories.Preferences)] public string? NText { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public byte[]? NBytes { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public byte? NU8 { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public sbyte? NI8 { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public short? NI16 { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public ushort? NU16 { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public int? NI32 { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public uint? NU32 { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public long? NI64 { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public ulong? NU64 { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public decimal? NDec { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public bool? NFlag { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public DateTime? NWhen { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public DateTimeOffset? NWhenOffset { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public DateOnly? NDay { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public Guid? NToken { get; set; }
    [PersonalData(PersonalDataCategories.Preferences)] public Tier? NTier { get; set; }
}

/// <summary>
/// An entity EF creates through its constructor (the subject id is a constructor parameter) and whose key has a
/// private setter: the materializer must leave both to EF and still decrypt.
/// </summary>
public sealed class Callback
{
    public Callback(string customerNumber) => CustomerNumber = customerNumber;

    public int Id { get; private set; }

    [DataSubjectId]
    public string CustomerNumber { get; private set; }

    [PersonalData(PersonalDataCategories.Phone)]
    public string? Number { get; set; }

    [PersonalData(PersonalDataCategories.Preferences)]
    public DateOnly? PreferredDay { get; set; }
}

/// <summary>A table-per-hierarchy root: the subject id and one member on the base, more members on each derived type.</summary>
public abstract class Interaction
{
    public int Id { get; set; }

    [DataSubjectId]
    public string CustomerNumber { get; set; } = "";

    [PersonalData(PersonalDataCategories.AgentNotes)]
    public string? Notes { get; set; }
}

public sealed class PhoneInteraction : Interaction
{
    [PersonalData(PersonalDataCategories.Phone)]
    public string CallerNumber { get; set; } = "";
}

public sealed class ChatInteraction : Interaction
{
    [PersonalData(PersonalDataCategories.CookieId)]
    public string? Cookie { get; set; }

    [PersonalData(PersonalDataCategories.IpAddress)]
    public string? IpAddress { get; set; }
}

public sealed class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
{
    public DbSet<Customer> Customers => Set<Customer>();

    public DbSet<Conversation> Conversations => Set<Conversation>();

    public DbSet<TypeSample> TypeSamples => Set<TypeSample>();

    public DbSet<Ticket> Tickets => Set<Ticket>();

    public DbSet<Callback> Callbacks => Set<Callback>();

    public DbSet<Interaction> Interactions => Set<Interaction>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Customer>().HasIndex(c => c.CustomerNumber);

        // A single-column key the database generates (SQLite cannot generate part of a composite key).
        modelBuilder.Entity<Customer>().OwnsMany(c => c.Phones, phone =>
        {
            phone.Property<int>("Id");
            phone.HasKey("Id");
        });
        modelBuilder.Entity<Conversation>().HasIndex(c => c.CustomerNumber);
        modelBuilder.Entity<TypeSample>().HasIndex(c => c.Subject);
        modelBuilder.Entity<PhoneInteraction>();
        modelBuilder.Entity<ChatInteraction>();
    }
}
