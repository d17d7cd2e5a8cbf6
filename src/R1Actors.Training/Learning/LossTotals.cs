using R1Actors.Training.Loss;

namespace R1Actors.Training.Learning;

/// <summary>Sums of the loss statistics over the micro-batches of one step.</summary>
internal sealed class LossTotals
{
    public double Loss { get; private set; }
    public double Tokens { get; private set; }
    private double _clippedLow, _clippedHigh, _approxKl, _referenceKl, _entropy, _ratio;

    public void Add(double loss, LossStatistics statistics)
    {
        Loss += loss;
        Tokens += statistics.Tokens;
        _clippedLow += statistics.ClippedLow;
        _clippedHigh += statistics.ClippedHigh;
        _approxKl += statistics.ApproxKlToBehaviour;
        _referenceKl += statistics.KlReference;
        _entropy += statistics.Entropy;
        _ratio += statistics.Ratio;
    }

    public double ClipRatioLow => PerToken(_clippedLow);
    public double ClipRatioHigh => PerToken(_clippedHigh);
    public double Kl => PerToken(_approxKl);
    public double ReferenceKl => PerToken(_referenceKl);
    public double Entropy => PerToken(_entropy);
    public double RatioMean => PerToken(_ratio);

    private double PerToken(double sum) => Tokens > 0 ? sum / Tokens : 0.0;
}
