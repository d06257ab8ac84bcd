using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;

namespace Gdpr.Storage.EfCore.Model;

/// <summary>Adds the personal-data convention to the model's conventions (the EF way, as EF's own proxies do).</summary>
internal sealed class PersonalDataConventionSetPlugin : IConventionSetPlugin
{
    public ConventionSet ModifyConventions(ConventionSet conventionSet)
    {
        // First among the finalizing conventions: those after it (table sharing, column names) see the new column.
        conventionSet.ModelFinalizingConventions.Insert(0, new PersonalDataConvention());
        return conventionSet;
    }
}
