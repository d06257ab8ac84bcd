using Gdpr.Classification;
using Gdpr.Storage.EfCore.Audit;
using Gdpr.Storage.EfCore.Erasure;
using Gdpr.Storage.EfCore.Keys;
using Gdpr.Storage.EfCore.Retention;
using Gdpr.Storage.EfCore.Tests.TestModel;
using Microsoft.EntityFrameworkCore;

namespace Gdpr.Storage.EfCore.Tests.Integration;

/// <summary>A webshop customer: marketing data that may go at once, invoice data the tax authority needs for 7 years.</summary>
public sealed class Shopper
{
    public int Id { get; set; }

    [DataSubjectId]
    public string CustomerNumber { get; set; } = "";

    [PersonalData(PersonalDataCategories.Email, RetentionPolicy = "marketing", LawfulBasis = LawfulBasis.Consent)]
    public string? NewsletterEmail { get; set; }

    [PersonalData(PersonalDataCategories.Interests, RetentionPolicy = "marketing", LawfulBasis = LawfulBasis.Consent, Erasure = ErasureAction.Replace, Replacement = "[erased]")]
    public string Interests { get; set; } = "";

    // GDPR Art. 17(3)(b), Dutch AWR art. 52: kept 7 years after the relationship ends.
    [PersonalData(PersonalDataCategories.Name, RetentionPolicy = "tax", LawfulBasis = LawfulBasis.LegalObligation)]
    public string InvoiceName { get; set; } = "";

    [PersonalData(PersonalDataCategories.PostalAddress, RetentionPolicy = "tax", LawfulBasis = LawfulBasis.LegalObligation)]
    public string? InvoiceAddress { get; set; }
}

/// <summary>
/// One message of a conversation several people take part in (customer and agent, or two customers): each row
/// belongs to its sender, so an export of one participant must not carry the other's messages (Art. 15(4)).
/// </summary>
public sealed class ChatMessage
{
    public long Id { get; set; }

    public Guid ConversationId { get; set; }

    [DataSubjectId]
    public string SenderId { get; set; } = "";

    [PersonalData(PersonalDataCategories.ChatTranscript, RetentionPolicy = "chat", Purposes = ["support"])]
    public string Text { get; set; } = "";
}

/// <summary>A recorded call, a file that an export puts in its ZIP package.</summary>
public sealed class CallRecording
{
    public long Id { get; set; }

    [DataSubjectId]
    public string CustomerNumber { get; set; } = "";

    [PersonalData(PersonalDataCategories.CallRecording, Purposes = ["support", "quality"], LawfulBasis = LawfulBasis.LegitimateInterests, ProvidedBySubject = false)]
    public byte[]? Audio { get; set; }
}

/// <summary>
/// The application's one DbContext, as docs/key-store.md and docs/erasure.md describe it: its own entity types
/// next to the SDK's key store, audit trail, retention schedule and legal holds, in the same database.
/// </summary>
public sealed class ContactCenterContext(DbContextOptions<ContactCenterContext> options) : DbContext(options)
{
    public DbSet<Shopper> Shoppers => Set<Shopper>();

    public DbSet<ChatMessage> ChatMessages => Set<ChatMessage>();

    public DbSet<CallRecording> CallRecordings => Set<CallRecording>();

    public DbSet<TypeSample> TypeSamples => Set<TypeSample>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Shopper>().HasIndex(s => s.CustomerNumber);
        modelBuilder.Entity<ChatMessage>().HasIndex(m => m.SenderId);
        modelBuilder.Entity<CallRecording>().HasIndex(r => r.CustomerNumber);
        modelBuilder.Entity<TypeSample>().HasIndex(s => s.Subject);
        modelBuilder.AddGdprKeyStore();
        modelBuilder.AddGdprAuditTrail().AddGdprRetentionSchedule().AddGdprLegalHolds().AddGdprDataSubjectRequests();
    }
}
