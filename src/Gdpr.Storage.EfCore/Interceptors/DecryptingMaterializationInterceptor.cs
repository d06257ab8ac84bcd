using Gdpr.Storage.EfCore.Model;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Gdpr.Storage.EfCore.Interceptors;

/// <summary>
/// Decrypts every materialized entity with personal data, tracking and no-tracking queries alike, and projections
/// of annotated members (which EF answers by materializing the entity, since the member has no column of its own).
/// </summary>
internal sealed class DecryptingMaterializationInterceptor(PersonalDataCrypto crypto) : IMaterializationInterceptor
{
    public object InitializedInstance(MaterializationInterceptionData materializationData, object entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (PersonalDataModelMap.For(materializationData.Context.Model).Get(materializationData.EntityType) is { } map)
        {
            crypto.Materialize(materializationData, entity, map);
        }

        return entity;
    }
}
