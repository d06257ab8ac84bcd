using System.Security.Cryptography;
using Gdpr.Interop;

namespace Gdpr.Core.Tests.Encryption;

/// <summary>
/// Pseudonyms and field subkeys are computed with libsodium's HMAC-SHA-256. It must be exactly the function they were
/// computed with before (<see cref="HMACSHA256"/>), or every stored pseudonym would stop matching its subject and every
/// envelope would stop verifying.
/// </summary>
public class HmacSha256Tests
{
    public static TheoryData<int, int> Lengths => new()
    {
        { 32, 0 }, { 32, 1 }, { 32, 55 }, { 32, 64 }, { 32, 200 }, { 1, 10 }, { 16, 10 }, { 64, 10 }, { 65, 10 }, { 200, 300 },
    };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Macs_AreThoseOfHmacSha256_OneShotAndFromAKeyedState(int keyLength, int dataLength)
    {
        var key = RandomNumberGenerator.GetBytes(keyLength);
        var data = RandomNumberGenerator.GetBytes(dataLength);
        var expected = HMACSHA256.HashData(key, data);

        var state = HmacSha256.CreateKeyedState(key);
        var fromState = new byte[HmacSha256.Size];
        HmacSha256.ComputeFromState(state, data, fromState);
        Assert.Equal(expected, fromState);

        // The state is copied per MAC, not consumed: a second MAC from it is the same.
        HmacSha256.ComputeFromState(state, data, fromState);
        Assert.Equal(expected, fromState);

        if (keyLength == HmacSha256.Size)
        {
            var oneShot = new byte[HmacSha256.Size];
            HmacSha256.ComputeWithKey(key, data, oneShot);
            Assert.Equal(expected, oneShot);
        }
    }

    [Fact]
    public void Rfc4231_TestCase2()
    {
        // RFC 4231, 4.3: key "Jefe", data "what do ya want for nothing?".
        var state = HmacSha256.CreateKeyedState("Jefe"u8);
        var mac = new byte[HmacSha256.Size];
        HmacSha256.ComputeFromState(state, "what do ya want for nothing?"u8, mac);
        Assert.Equal("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", Convert.ToHexStringLower(mac));
    }

    [Fact]
    public void FromState_RefusesBytesThatAreNoKeyedState()
        => Assert.Throws<ArgumentOutOfRangeException>(() => HmacSha256.ComputeFromState(new byte[HmacSha256.Size], [1, 2, 3], new byte[HmacSha256.Size]));

    [Fact]
    public void OneShot_RefusesAKeyOfAnotherLength()
        => Assert.Throws<ArgumentOutOfRangeException>(() => HmacSha256.ComputeWithKey(new byte[31], [1, 2, 3], new byte[HmacSha256.Size]));
}
