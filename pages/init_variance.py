"""4 · Initialization variance: why Var(W) = 1/n (2/n for ReLU), measured neuron by neuron and layer by layer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import ui
from charts import init_variance as ch
from charts.common import pin_for_log, show, spec
from core import init_variance as iv
from core.numerics import histogram
from ui.nav import by_url_path

# Options are shown as they are (they also appear in the link, so they stay short); each maps to core's name.
SCHEMES = {"LeCun": "lecun", "Xavier": "xavier", "He": "he", "orthogonal": "orthogonal", "normal": "normal"}
ACTS = {"linear": "linear", "tanh": "tanh", "sigmoid": "sigmoid", "ReLU": "relu", "leaky ReLU": "leaky_relu"}
ACT_NAMES = {"linear": "linear", "tanh": "tanh", "sigmoid": "sigmoid", "relu": "ReLU", "leaky_relu": "leaky ReLU"}
FAN_INS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
STDS = [0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0]
WIDTHS = [16, 32, 64, 128, 256, 512]
DEPTH_MAX = 50
LAYER_DEFAULT = 10  # the layer whose z is inspected, until the learner picks another
TRIALS = 4000
BATCH = 256
GOLD_GAINS = tuple(float(g) for g in np.geomspace(0.25, 16.0, 25))
GOLD_DEPTH, GOLD_WIDTH = 50, 32
TRAIN_SCHEMES = {"normal": "normal σ_w=0.01", "lecun": "LeCun", "xavier": "Xavier", "he": "He",
                 "orthogonal": "orthogonal"}
TRAIN_STD, TRAIN_WIDTH, TRAIN_STEPS = 0.01, 32, 200


@st.cache_data(show_spinner=False, max_entries=64)
def neuron(n: int, sigma_w: float, inputs: str, seed: int) -> iv.Neuron:
    return iv.one_neuron(n, sigma_w, inputs, TRIALS, np.random.default_rng(seed))


@st.cache_data(show_spinner=False, max_entries=64)
def sweep(sigma_w: float, inputs: str, seed: int) -> iv.FanInSweep:
    return iv.fan_in_sweep(FAN_INS, sigma_w, inputs, 1000, np.random.default_rng(seed))


@st.cache_data(show_spinner=False, max_entries=64)
def deep(depth: int, width: int, activation: str, scheme: str, sigma_w: float | None, residual: bool,
         slope_layer: int, seed: int) -> iv.DeepSignal:
    return iv.deep_signal(depth, width, activation, scheme, np.random.default_rng(seed), sigma_w=sigma_w,
                          residual=residual, batch=BATCH, slope_layer=slope_layer)


@st.cache_data(show_spinner=False, max_entries=64)
def gold(activation: str, seed: int) -> iv.Goldilocks:
    return iv.goldilocks(GOLD_GAINS, GOLD_DEPTH, GOLD_WIDTH, activation, np.random.default_rng(seed), batch=64)


@st.cache_data(show_spinner=False, max_entries=64)
def train(scheme: str, depth: int, activation: str, seed: int) -> iv.TrainCurve:
    return iv.train_scheme(scheme, depth, TRAIN_WIDTH, activation, np.random.default_rng(seed), sigma_w=TRAIN_STD,
                           steps=TRAIN_STEPS)


@st.cache_data(show_spinner=False, max_entries=64)
def neuron_charts(n: int, sigma_w: float, inputs: str, seed: int):
    """The two histograms (single terms; their sum with the predicted Gaussian), built once per setting."""
    r = neuron(n, sigma_w, inputs, seed)
    h = histogram(r.products, 40)
    c, d, w = h.centers, h.density, h.width
    terms = ch.histogram(pd.DataFrame({"center": c, "density": d, "width": w}), "one term wᵢxᵢ", color=ch.BAD)
    h = histogram(r.z, 40)
    c, d, w = h.centers, h.density, h.width
    grid = np.linspace(c[0] - w, c[-1] + w, 120)
    pred = pd.DataFrame({"x": grid, "density": iv.gaussian_pdf(grid, r.var_pred)})
    total = ch.histogram(pd.DataFrame({"center": c, "density": d, "width": w}), "their sum z = Σᵢ wᵢxᵢ", pred=pred)
    return spec(terms), spec(total)


@st.cache_data(show_spinner=False, max_entries=64)
def sweep_charts(sigma_w: float, inputs: str, seed: int):
    """Var(z) and E|z| against the fan-in, and the data behind them."""
    s = sweep(sigma_w, inputs, seed)
    var_df = pd.concat([
        pd.DataFrame({"n": s.ns, "var": s.var_fixed, "series": "measured", "rule": "std fixed"}),
        pd.DataFrame({"n": s.ns, "var": s.var_fixed_pred, "series": "predicted", "rule": "std fixed"}),
        pd.DataFrame({"n": s.ns, "var": s.var_scaled, "series": "measured", "rule": "std = σ/√n"}),
        pd.DataFrame({"n": s.ns, "var": s.var_scaled_pred, "series": "predicted", "rule": "std = σ/√n"}),
    ], ignore_index=True)
    abs_df = pd.concat([
        pd.DataFrame({"n": s.ns, "value": s.mean_abs_fixed, "series": "measured"}),
        pd.DataFrame({"n": s.ns, "value": s.mean_abs_fixed_pred, "series": "predicted √n"}),
        pd.DataFrame({"n": s.ns, "value": s.no_cancel, "series": "if signs never cancelled (∝ n)"}),
    ], ignore_index=True)
    return spec(ch.fan_in_variance(var_df)), spec(ch.fan_in_mean_abs(abs_df)), var_df


def fmt(v: float) -> str:
    """A variance for prose: 'overflow'/'underflow' beyond the chart's range, else 3 significant digits."""
    status = iv.status([v])[0]
    return status if status != "ok" else f"{v:.3g}"


ui.page_header(
    "Initialization variance",
    "If each wᵢxᵢ is a product of two small numbers, why doesn't z vanish? Signs cancel, so why care about "
    "the size of each term? Is it z ≈ 1, or the spread of z ≈ 1? And where do vanishing and exploding "
    "gradients come from?",
)


@st.fragment
def one_neuron_section() -> None:
    st.header("One neuron: many small terms, one sizeable sum", anchor=False)
    c1, c2, c3 = st.columns([1, 1, 1.3])
    with c1:
        n = ui.select_slider("Fan-in n (inputs to the neuron)", FAN_INS, 256, key="n")
    with c2:
        sigma_w = ui.select_slider("Weight std σ_w", STDS, 0.05, key="w_std")
    with c3:
        inputs = ui.segmented("Inputs x", list(iv.INPUTS), key="x", default="normal",
                              help="normal: N(0, 1), standardized features. uniform: U(−1, 1). pixel: raw "
                                   "intensities in [0, 1], mostly dark (Beta(0.2, 0.8), mean 0.2).")
    seed = ui.seed()
    r = neuron(n, sigma_w, inputs, seed)
    mean_x, m2, _, _ = iv.input_moments(inputs)

    terms_chart, sum_chart = neuron_charts(n, sigma_w, inputs, seed)
    left, right = st.columns(2)
    with left:
        # alt texts here stay the same while n moves (the numbers are in the captions): Streamlit then updates
        # the charts' data in place instead of rebuilding them, ~25% less browser work per slider step
        show(terms_chart,
             "The single terms w·x pile up near 0 with long tails: heavy-tailed, far from a Gaussian (the excess "
             "kurtosis is in the caption below).")
        st.caption(f"One term: typical size E|wᵢxᵢ| ≈ {r.mean_abs_product:.3g}, "
                   f"excess kurtosis {r.kurt_products:.1f} (predicted {r.kurt_products_pred:.1f}): tiny and heavy-tailed.")
    with right:
        show(sum_chart,
             "The sum z of the n terms is Gaussian with the predicted spread: the measured bars follow the dashed "
             "N(0, n·Var(w)·E[x²]) curve (the numbers are in the caption below).")
        st.caption(f"The sum of {n} terms ({TRIALS} neurons): bars measured, dashed line the predicted "
                   f"N(0, n·Var(w)·E[x²]); measured Var(z) {r.var_z:.3g}, predicted {r.var_pred:.3g}. Excess kurtosis {r.kurt_z:.2f} (predicted {r.kurt_z_pred:.2f}).")

    f1, f2 = st.columns([1.4, 1])
    with f1:
        ui.formula(r"\operatorname{Var}(z)=n\,\operatorname{Var}(w)\,\mathbb{E}[x^2]"
                   + rf"={n}\times\nobreak{sigma_w:g}^2\times\nobreak{m2:.3g}=\nobreak{r.var_pred:.3g}",
                   "The terms have mean 0 and are uncorrelated, so their variances add: the spread grows "
                   "with n even though the signs cancel.")
        if inputs == "pixel":
            st.caption(f"Pixel-like inputs have mean {mean_x:.2g}: E[x²] = {m2:.3g}, not Var(x) = "
                       f"{m2 - mean_x**2:.3g}. The mean counts too, because it is multiplied by a random-sign weight.")
    with f2:
        # Markdown tables, not st.metric in columns: fewer elements for the browser to redraw per slider move
        st.markdown(ui.readout({"Var(z) measured": f"{r.var_z:.3g}", "Var(z) predicted": f"{r.var_pred:.3g}"},
                               {"E|z| measured": f"{r.mean_abs_z:.3g}",
                                "E|z| if no sign cancelled": f"{r.no_cancel:.3g}"},
                               note=f"Measured Var(z): ± {r.var_se:.2g} (one standard error). No sign "
                                    "cancelled: n·E|w|·E|x|, every term with the same sign."))

    s = sweep(sigma_w, inputs, seed)
    var_chart, abs_chart, var_df = sweep_charts(sigma_w, inputs, seed)
    left, right = st.columns(2)
    with left:
        # no numbers in these alt texts either (σ_w moves them): they are in the captions
        show(var_chart,
             "With a fixed weight std, Var(z) grows in proportion to n; with the std divided by √n it stays at the "
             "same value for every n (the numbers are in the caption below).")
        st.caption(f"Var(z) grows like n for a fixed std σ_w = {sigma_w:g}. Dividing the std by √n (Var(w) = 1/n up "
                   f"to a constant) keeps it flat at {s.var_scaled_pred[0]:.3g}: that is what LeCun, Xavier and He "
                   "initializations do.")
    with right:
        show(abs_chart,
             "E|z| grows like √n (slope 1/2 on log-log axes), far below the n·E|w|E|x| line (slope 1) of terms "
             "that never cancel (the numbers at n = 1024 are in the caption below).")
        st.caption(f"Cancellation is real but partial: z's typical size grows like √n, not n, and not 0. At n = "
                   f"{FAN_INS[-1]}: {s.mean_abs_fixed[-1]:.3g}, against {s.no_cancel[-1]:.3g} if no sign cancelled.")
    ui.reproduce(f"""
import numpy as np
from core import init_variance as iv

one = iv.one_neuron({n}, {sigma_w!r}, {inputs!r}, {TRIALS}, np.random.default_rng({seed}))
print(one.var_z, one.var_pred)   # measured vs n * Var(w) * E[x^2]
sweep = iv.fan_in_sweep({FAN_INS}, {sigma_w!r}, {inputs!r}, 1000, np.random.default_rng({seed}))
print(sweep.var_fixed, sweep.var_scaled, sweep.mean_abs_fixed)
""", var_df, file_name="init_variance_fan_in.csv", key="iv_csv_neuron")


def one_neuron_part() -> None:
    """One neuron, then its predict-then-look question."""
    one_neuron_section()

    ui.predict_then_look(
        "Raw pixel inputs (pick **pixel**) have variance Var(x) = 0.08 and mean 0.2. With n = 256 and σ_w = 0.05, "
        "is Var(z) = 256 × 0.05² × 0.08 = 0.051?",
        "No: the page measures about 0.077 = 256 × 0.05² × 0.12, because what enters is E[x²] = Var(x) + mean² = "
        "0.08 + 0.04. A weight of random sign turns the inputs' mean into spread as well. (Centering the inputs "
        "removes that part: one more reason to standardize them.)",
        key="ptl_pixel",
    )


def variance_frame(measured: np.ndarray, predicted: np.ndarray) -> pd.DataFrame:
    layers = np.arange(1, measured.size + 1)
    frames = []
    for series, values in (("measured", measured), ("predicted", predicted)):
        pinned, status = pin_for_log(values)
        frames.append(pd.DataFrame({"layer": layers, "value": pinned, "series": series, "status": status}))
    return pd.concat(frames, ignore_index=True)


def ridge_frame(s: iv.DeepSignal) -> pd.DataFrame:
    rows = []
    k = len(s.hist_layers)
    for idx, (layer, density, zero) in enumerate(zip(s.hist_layers, s.hist_density, s.hist_zero, strict=True)):
        peak = density.max() if density.max() > 0 else 1.0
        row = k - 1 - idx
        rows.append(pd.DataFrame({
            "layer": layer, "label": f"layer {layer}" + (f" · {zero:.0%} at 0" if zero else ""), "row": row, "center": s.hist_centers,
            "density": density, "top": row + 0.9 * density / peak,
            "first": np.arange(density.size) == 0, "xmax": s.hist_centers[-1]}))
    return pd.concat(rows, ignore_index=True)


@st.cache_data(show_spinner=False, max_entries=64)
def variance_charts(depth: int, width: int, activation: str, scheme: str, sigma_w: float | None, residual: bool,
                    seed: int) -> dict:
    """The charts of "Many layers" (built once per setting: Altair construction is the slow part)."""
    s = deep(depth, width, activation, scheme, sigma_w, residual, min(LAYER_DEFAULT, depth - 1), seed)
    fwd, bwd = variance_frame(s.q, s.theory.q), variance_frame(s.grad, s.theory.grad)
    both = pd.concat([fwd.assign(quantity=ch.QUANTITIES[0]), bwd.assign(quantity=ch.QUANTITIES[1])],
                     ignore_index=True)
    figs = {"table": both, "var": spec(ch.layer_variance(both, "variance")),
            "frac": None, "frac_title": ""}
    titles = {"tanh": "saturated (%)", "sigmoid": "saturated (%)", "relu": "dead ReLUs (%)"}
    if activation in titles:
        frac = s.saturation if activation != "relu" else s.dead
        figs["frac_title"] = titles[activation]
        figs["frac"] = spec(ch.layer_fraction(
            pd.DataFrame({"layer": np.arange(1, frac.size + 1), "percent": 100 * frac}), titles[activation]))
    return figs


@st.cache_data(show_spinner=False, max_entries=64)
def inside_charts(depth: int, width: int, activation: str, scheme: str, sigma_w: float | None, residual: bool,
                  slope_layer: int, seed: int) -> dict:
    """The charts of "Inside the layers": the ridgeline of activations and the slope under z at one layer."""
    s = deep(depth, width, activation, scheme, sigma_w, residual, slope_layer, seed)
    act_label = "activation h = f(z)" if not residual else "hidden state h"
    hist = pd.DataFrame({"center": s.z_centers, "density": s.z_density,
                         "width": s.z_centers[1] - s.z_centers[0] if s.z_centers.size > 1 else 1.0})
    curve = pd.DataFrame({"z": s.z_centers, "slope": s.slope})
    ridge = ridge_frame(s)
    return {"ridge_df": ridge, "ridge": spec(ch.ridgeline(ridge, f"{act_label} (same axis for every layer)")),
            "slope": spec(ch.slope_under_z(hist, curve, "z at the inspected layer", "f′(z)"))}


def network_controls() -> tuple[int, int, str, str, float | None, bool]:
    """The deep network of "Many layers" and "Inside the layers": drawn in whichever part is open (inside its
    fragment, so a move reruns only that part), one setting for both."""
    with st.container(border=True):
        st.caption("The network of **Many layers** and **Inside the layers**: one setting for both parts.")
        c1, c2, c3 = st.columns([1, 1, 1.6])
        with c1:
            depth = ui.slider("Depth L (layers)", 3, DEPTH_MAX, 30, key="depth")
            width = ui.select_slider("Width n (units per layer)", WIDTHS, 128, key="width")
        with c2:
            activation = ACTS[ui.select("Activation f", list(ACTS), key="act", index=3)]
            residual = ui.toggle("Residual skips h + f(hW)", False, key="res",
                                 help="Every hidden layer after the first adds its input back (as in ResNets).")
        with c3:
            scheme = SCHEMES[ui.segmented(
                "Initialization", list(SCHEMES), key="init", default="LeCun",
                help="Var(w) per scheme: LeCun 1/n, Xavier 2/(n_in + n_out) (= 1/n here: every layer is n × n), "
                     "He 2/n, orthogonal: an orthogonal matrix times the activation's gain (entries ≈ gain²/n), "
                     "normal: N(0, σ_w²) with the σ_w you choose.")]
            sigma_w = (ui.select_slider("σ_w for the normal scheme", STDS, 0.05, key="sw") if scheme == "normal"
                       else None)
    return depth, width, activation, scheme, sigma_w, residual


@st.fragment
def deep_section() -> None:
    st.header("Through many layers: the same rule, repeated", anchor=False)
    depth, width, activation, scheme, sigma_w, residual = network_controls()
    seed = ui.seed()
    s = deep(depth, width, activation, scheme, sigma_w, residual, min(LAYER_DEFAULT, depth - 1), seed)
    gain2 = width * s.var_w
    _, _, c = iv.activation_moments(activation, 1.0)
    c_text = {"linear": "1", "relu": "1/2", "leaky_relu": "(1+a^2)/2"}.get(activation)

    f1, f2 = st.columns([1.4, 1])
    with f1:
        # two formulas, not one aligned block: each wraps in a narrow column (an aligned block cannot)
        if c_text:
            ui.markdown(
                ui.formula_text(r"\operatorname{Var}(z_{l+1}) = n\,\operatorname{Var}(w)\,c\,\operatorname{Var}(z_l)"),
                ui.formula_text(
                    rf"n\operatorname{{Var}}(w)\,c = {width}\times\nobreak{s.var_w:.3g}\times\nobreak{c_text}"
                    rf" =\nobreak {gain2 * c:.3g}",
                    "c = E[f(z)²]/Var(z): 1 for linear, 1/2 for ReLU (it zeroes half of z). Backward, the gradient "
                    "is multiplied by n·Var(w)·E[f′(z)²], the same number."))
        else:
            ui.markdown(
                ui.formula_text(r"q_{l+1} = n\,\operatorname{Var}(w)\;\mathbb{E}_{z\sim\mathcal{N}(0,q_l)}"
                                r"\big[f(z)^2\big]"),
                ui.formula_text(
                    rf"n\operatorname{{Var}}(w) = {width}\times\nobreak{s.var_w:.3g} =\nobreak {gain2:.3g}",
                    "The mean-field variance map (Poole et al. 2016), computed by Gauss–Hermite quadrature. "
                    "Backward: multiply by n·Var(w)·E[f′(z)²] per layer."))
        if residual:
            st.caption("With skips the variances add up layer after layer (h + f(hW)), so they grow even "
                       "at the He setting: the prediction tracks E[h²] through the sums.")
    with f2:
        st.markdown(ui.readout({f"Var(z) at layer {depth}": fmt(s.q[-1]),
                                f"predicted at layer {depth}": fmt(s.theory.q[-1])},
                               {"Var(∂L/∂z) at layer 1": fmt(s.grad[0]),
                                "predicted at layer 1": fmt(s.theory.grad[0])}))

    figs = variance_charts(depth, width, activation, scheme, sigma_w, residual, seed)
    # Alt texts name no numbers (they are in the captions): a changed alt text makes Streamlit rebuild the chart
    # instead of swapping its data, and depth and width move every number here.
    off_axis = bool(np.any(iv.status(np.concatenate([s.q, s.grad])) != "ok"))
    pinned = " Values beyond 10^±30 are drawn at the edge and labelled overflow or underflow." if off_axis else ""
    # One chart for both directions (and the saturation bars beside it): each chart is redrawn on every move.
    var_col, frac_col = st.columns([1.4, 1]) if figs["frac"] is not None else (st.container(), None)
    with var_col:
        show(figs["var"], "Forward and backward variance per layer on one log axis: the measured points follow "
                          "the dashed predictions, which multiply by n·Var(w)·c (forward) and n·Var(w)·E[f′(z)²] "
                          "(backward, read from the output back to layer 1) at every layer." + pinned)
        st.caption(f"Forward (blue): the spread of the pre-activations z at each layer (inputs N(0, 1)): "
                   f"{fmt(s.q[0])} at layer 1, {fmt(s.q[-1])} at layer {depth} (predicted {fmt(s.theory.q[-1])}). "
                   "Backward (green): the spread of the gradient reaching each layer, starting from ∂L/∂output ~ "
                   f"N(0, 1); read it right to left: {fmt(s.grad[-1])} at the output, {fmt(s.grad[0])} back at "
                   f"layer 1 (predicted {fmt(s.theory.grad[0])}). One network at finite width wobbles around the "
                   "lines; the wobble grows with depth/width (each layer multiplies by a random factor near its "
                   "predicted one).")
    if frac_col is not None:
        with frac_col:
            frac = s.saturation if activation != "relu" else s.dead
            show(figs["frac"], f"Per hidden layer, {figs['frac_title']}.")
            st.caption(f"At most {100 * frac.max():.0f}% in any layer. "
                       + ("Saturated: |a| > 0.97 for tanh, a outside [0.03, 0.97] for sigmoid, where f′ ≈ 0. "
                          if activation != "relu" else
                          "Dead: a ReLU unit whose input is ≤ 0 for every sample of the batch passes no gradient "
                          "at all."))
    if off_axis:
        st.warning("Some variances left the range 10⁻³⁰…10³⁰: they are drawn pinned to the edge and labelled "
                   "**overflow** or **underflow** rather than cut off. A real network would produce inf/NaN or "
                   "zeros there.", icon=":material/warning:")

    ui.reproduce(f"""
import numpy as np
from core import init_variance as iv

s = iv.deep_signal({depth}, {width}, {activation!r}, {scheme!r}, np.random.default_rng({seed}),
                   sigma_w={sigma_w!r}, residual={residual}, batch={BATCH})
print(s.q, s.theory.q)         # forward: measured vs predicted Var(z_l)
print(s.grad, s.theory.grad)   # backward: measured vs predicted Var(dL/dz_l)
""", figs["table"],
                 file_name="init_variance_layers.csv", key="iv_csv_deep")


def deep_part() -> None:
    """Many layers, then its predict-then-look question."""
    deep_section()

    ui.predict_then_look(
        "A 30-layer ReLU network uses LeCun's Var(w) = 1/n instead of He's 2/n. By what factor is the variance "
        "of z at layer 30 smaller than at layer 1? And does a wider network fix it?",
        "Each ReLU layer multiplies the variance by n·Var(w)·½ = ½, so layer 30 is 2⁻²⁹ ≈ 2·10⁻⁹ times layer 1. "
        "Width does not help: n·Var(w) is the same for every n. Switch **Initialization** to He and the X on the "
        "chart opens into two flat lines: with LeCun the gradient at layer 1 (green) is 2⁻²⁹ times smaller too.",
        key="ptl_depth",
    )


@st.fragment
def inside_section() -> None:
    st.header("Inside the layers: where z sits decides the slope", anchor=False)
    depth, width, activation, scheme, sigma_w, residual = network_controls()
    # A fixed range: a slider's min, max and step are part of its identity in Streamlit, so a range that followed
    # the depth made a new widget at every depth change, which went back to its default layer (and was redrawn).
    chosen_layer = ui.slider("Layer whose z you inspect", 1, DEPTH_MAX - 1, LAYER_DEFAULT, key="zl",
                             help="A layer past the network's last hidden layer shows that last hidden layer.")
    slope_layer = min(chosen_layer, depth - 1)
    seed = ui.seed()
    s = deep(depth, width, activation, scheme, sigma_w, residual, slope_layer, seed)
    figs = inside_charts(depth, width, activation, scheme, sigma_w, residual, slope_layer, seed)
    factor = width * s.var_w * s.slope_sq
    ui.formula(
        r"\begin{aligned}\operatorname{Var}(g_l) &= a_l\,\operatorname{Var}(g_{l+1})\\ "
        r"a_l &= n\operatorname{Var}(w)\,\mathbb{E}\big[f'(z_l)^2\big]\\ "
        rf"&= {width}\times{s.var_w:.3g}\times{s.slope_sq:.3g} = {factor:.3g}\end{{aligned}}",
        "gₗ = ∂L/∂zₗ is the gradient reaching layer l, and aₗ the factor its variance picks up there. "
        f"At layer {s.slope_layer}, E[f′(z)²] = {s.slope_sq:.3g} measured over the batch, {s.slope_sq_pred:.3g} "
        "predicted from the mean-field variance of z. Below 1, the factor shrinks the gradient at every layer; "
        "above 1, it grows it."
        + (" With skips this is only the branch through f: the gradient with respect to h also passes straight "
           "through each h + f(hW), so its variance is multiplied by about 1 + a per layer instead. It cannot "
           "vanish, and it grows with depth unless a is small." if residual else ""))
    left, right = st.columns([1.1, 1])
    with left:
        st.subheader("Activations, layer by layer", anchor=False)
        show(figs["ridge"], "Histograms of the activations at several layers, first to last: their spread "
                            "changes with depth as the variance chart of Many layers says.")
        st.caption("As in Glorot & Bengio (2010), Fig. 6: each row is one layer's activations over the batch "
                   f"(layers {', '.join(map(str, s.hist_layers))})."
                   + (" “… % at 0”: the share of ReLU outputs that are exactly 0, left out of the histogram (it "
                      "would dwarf the rest)." if activation == "relu" else ""))
    with right:
        st.subheader(f"The slope f′(z) where z sits (layer {s.slope_layer})", anchor=False)
        show(figs["slope"], "The gradient through the inspected layer is multiplied by f′(z) where z falls: the "
                            "slope curve is drawn over the histogram of z.")
        past = (f"Layer {chosen_layer} is past this {depth}-layer network: this is its last hidden layer. "
                if chosen_layer > slope_layer else "")
        st.caption(f"{past}Where the bars sit under a flat part of the curve, f′ ≈ 0 and the gradient through "
                   "those units is cut.")
    ui.reproduce(f"""
import numpy as np
from core import init_variance as iv

s = iv.deep_signal({depth}, {width}, {activation!r}, {scheme!r}, np.random.default_rng({seed}),
                   sigma_w={sigma_w!r}, residual={residual}, batch={BATCH}, slope_layer={slope_layer})
print(s.hist_layers, s.hist_density.shape)   # the ridgeline: activation histograms of those layers
print(s.slope_sq, s.slope_sq_pred)           # E[f'(z)^2] at the inspected layer: measured vs predicted
""", figs["ridge_df"], file_name="init_variance_histograms.csv", key="iv_csv_inside")


def inside_part() -> None:
    """Inside the layers, then its predict-then-look question."""
    inside_section()
    ui.predict_then_look(
        "Pick **sigmoid** and **Xavier** (n·Var(w) = 1). The sigmoid units are not saturated: none is near 0 or "
        "1. Does the gradient still reach layer 1 of a 30-layer network?",
        "Practically not: a sigmoid's slope is at most ¼, so E[f′(z)²] ≤ 1/16 and every layer multiplies the "
        "gradient's variance by 1/16 or less: after 29 layers, less than 10⁻³⁴. A small slope is enough; "
        "saturation is not needed. tanh has slope 1 at 0: at the same setting its factor is far closer to 1 "
        "(switch **Activation** to tanh and read it in the formula).",
        key="ptl_sigmoid",
    )


@st.cache_data(show_spinner=False, max_entries=64)
def gold_chart(activation: str, quantity: str, seed: int):
    """The Goldilocks heat map (cells past 1e±30 flagged, never NaN) and its number of overflowing cells."""
    g = gold(activation, seed)
    values = g.q if quantity == "forward" else g.grad
    pinned, status = pin_for_log(values)
    edges = np.sqrt(g.gains[:-1] * g.gains[1:])
    lo = np.concatenate([[g.gains[0] ** 2 / edges[0]], edges])
    hi = np.concatenate([edges, [g.gains[-1] ** 2 / edges[-1]]])
    G, D = np.meshgrid(np.arange(g.gains.size), g.depths, indexing="ij")
    df = pd.DataFrame({
        "g": g.gains[G.ravel()], "g_lo": lo[G.ravel()], "g_hi": hi[G.ravel()], "depth": D.ravel(),
        "log10": np.log10(pinned.ravel()), "status": status.ravel(),
        "value_text": [fmt(v) for v in values.ravel()],
    })
    crit = {"relu": "√2 (He: σ_w² = 2/n)", "tanh": "1 (σ_w² = 1/n)", "linear": "1 (σ_w² = 1/n)"}.get(
        activation, f"{g.critical:.2g}")
    what = "log₁₀ Var(z)" if quantity == "forward" else "log₁₀ Var(∂L/∂z)"
    return spec(ch.goldilocks_map(df, g.critical, what, f"critical g = {crit}")), int(np.sum(status == "overflow"))


@st.cache_data(show_spinner=False, max_entries=64)
def train_chart(activation: str, depth: int, seed: int):
    """Loss curves of every scheme (from the cached runs) and the mean loss of the last 20 steps of each."""
    curves = [train(scheme, depth, activation, seed) for scheme in TRAIN_SCHEMES]
    df = pd.concat([pd.DataFrame({"step": np.arange(c.losses.size), "loss": c.losses,
                                  "scheme": TRAIN_SCHEMES[c.scheme]}) for c in curves], ignore_index=True)
    df = df[np.isfinite(df["loss"]) & (df["loss"] > 0)]
    # A run that diverged has no final loss: it is reported as diverged, never as "nan".
    final = {TRAIN_SCHEMES[c.scheme]: None if c.diverged_step is not None else float(np.mean(c.losses[-20:]))
             for c in curves}
    return spec(ch.loss_curves(df, list(TRAIN_SCHEMES.values()))), final


@st.fragment
def goldilocks_section() -> None:
    st.header("The Goldilocks zone: σ_w × depth", anchor=False)
    c1, c2 = st.columns(2)
    with c1:
        activation = ACTS[ui.segmented("Activation for the map", ["ReLU", "tanh", "linear", "sigmoid"],
                                       key="g_act", default="ReLU")]
    with c2:
        quantity = ui.segmented("Show", ["forward", "backward"], key="g_q", default="forward",
                                help="forward: Var(z) at each depth; backward: Var(∂L/∂z) that many layers "
                                     "below the output.")
    with st.spinner("Measuring 25 networks of 50 layers…"):
        g = gold(activation, ui.seed())
    chart, n_over = gold_chart(activation, quantity, ui.seed())
    what = "log₁₀ Var(z)" if quantity == "forward" else "log₁₀ Var(∂L/∂z)"
    show(chart, f"{what} over gain and depth for {ACT_NAMES[activation]}: near 1 only in a narrow band around "
                f"the critical gain {g.critical:.3g}; elsewhere it vanishes or explodes with depth, and {n_over} "
                "cells overflow (marked ▲).")
    st.caption(f"Each column is one network ({GOLD_WIDTH} units wide, {GOLD_DEPTH} layers, weights N(0, g²/n)); "
               "each row reads its variance at that depth (backward: that many layers below the output). "
               "Cells beyond 10^±30 are marked ▲ overflow / ▼ underflow instead of being clipped. The dashed "
               "line is the critical gain where n·Var(w)·E[f′(z)²] = 1.")


@st.fragment
def training_section() -> None:
    st.header("Does it train?", anchor=False)
    c1, c2 = st.columns(2)
    with c1:
        activation = ACTS[ui.segmented("Activation", ["ReLU", "tanh"], key="t_act", default="ReLU")]
    with c2:
        depth = ui.select_slider("Depth (layers)", [10, 20, 30], 20, key="t_depth")
    seed = ui.seed()
    curves = []
    bar = st.progress(0.0, text="Training…")
    for k, scheme in enumerate(TRAIN_SCHEMES):
        bar.progress(k / len(TRAIN_SCHEMES), text=f"Training with {TRAIN_SCHEMES[scheme]} ({k + 1} of "
                                                   f"{len(TRAIN_SCHEMES)}; cached afterwards)…")
        curves.append(train(scheme, depth, activation, seed))
    bar.empty()
    chart, final = train_chart(activation, depth, seed)
    ended = {k: v for k, v in final.items() if v is not None}
    best = f"{min(ended, key=ended.get)} ends lowest ({min(ended.values()):.3g}); " if ended else ""
    # the alt text names no numbers (the caption does): a changed one makes the browser rebuild the chart
    show(chart, "Training loss of a deep network under each initialization, one curve per scheme: the schemes "
                "that keep the variance near 1 train, the others stay flat or diverge (final losses in the caption).")
    for c in curves:
        if c.diverged_step is not None:
            ui.diverged_notice(c.diverged_step, f"{TRAIN_SCHEMES[c.scheme]}: {c.diverged_reason}.")
    st.caption(f"A {depth}-layer {ACT_NAMES[activation]} network: {best}final loss (mean of the last 20 steps) "
               + ", ".join(f"{k} {'diverged' if v is None else format(v, '.3g')}" for k, v in final.items()) + ". "
               f"Same data (y = sin(2x·u) + ½x·v, 8 inputs, 512 samples), same mini-batches (64) and SGD with "
               f"momentum 0.9, lr 0.01, {TRAIN_STEPS} steps; {depth - 1} hidden layers of {TRAIN_WIDTH} units. "
               "Only the weight variance differs. Flat curves (they lie on top of each other) are networks whose "
               "signal vanished before training could start; orthogonal uses the activation's gain (√2 for ReLU).")


# One part at a time: each runs only while its tab is open.
ui.parts(by_url_path("init_variance").parts,
         one_neuron_part, deep_part, inside_part, goldilocks_section, training_section)

st.divider()
ui.answer(
    "z doesn't vanish because n terms add: their variances add up to n·Var(w)·E[x²], so z's typical size grows "
    "like √n (signs cancel only partly). What must be ≈ 1 is the spread of z, not z itself. A deep network "
    "multiplies that spread by n·Var(w)·c at every layer (c = 1 linear, ½ ReLU), and the gradient by "
    "n·Var(w)·E[f′(z)²] on the way back: anything but 1 vanishes or explodes geometrically with depth. "
    "Var(w) = 1/n (LeCun, Xavier) makes the factor 1 for linear/tanh near 0; 2/n (He) does it for ReLU, which "
    "zeroes half its inputs and passes gradient through half its units."
)

