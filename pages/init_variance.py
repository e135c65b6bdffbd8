"""4 · Initialization variance: why Var(W) = 1/n (2/n for ReLU), measured neuron by neuron and layer by layer."""

from __future__ import annotations

import streamlit as st

import ui
from experiments import init_variance as ex
from ui.nav import by_url_path

fmt = ex.fmt


def chart(spec: dict, alt: str, legend: str = "") -> None:
    """A chart at container width with its text alternative (its takeaway, the same for every setting)."""
    st.vega_lite_chart(spec=spec, width="stretch", alt=alt)
    if legend:
        ui.legend(legend)


ui.page_header("If each wᵢxᵢ is a product of two small numbers, why doesn't z vanish? Is it z ≈ 1, or the spread of z ≈ 1? Where do vanishing and exploding gradients come from, "
               "and why Var(W) = 1/n (2/n for ReLU)?")
st.markdown(
    "**One number, multiplied L times.** Multiply 1 by a number $a$, then the result by $a$ again, $L$ times: you get $a^L$. With $a = 0.5$ it is $10^{-9}$ after 30 times; with "
    "$a = 1.5$ it is $191{,}751$; only $a = 1$ stays at 1. A deep network does exactly this to the *spread* of its signals: every layer multiplies it by a factor set by the "
    "weights' variance. This page finds that factor, first for one neuron, then for many layers.")
chart(ex.power_view(), "0.5 to the power L falls to 1e-9 by L = 30, 1.5 to the L rises to about 2e5, 1 stays flat.")


def network_controls(inspect: bool = False) -> ex.DeepSettings:
    d, (c1, c2, c3) = ex.DeepSettings(), st.columns([1, 1, 1.6])
    with c1:
        depth = ui.slider("Depth L (layers)", 3, 50, d.depth, key="depth")
        width = ui.select_slider("Width n (units per layer)", ex.WIDTHS, d.width, key="width")
    with c2:
        act = ex.ACTS[ui.select("Activation f", list(ex.ACTS), key="act", index=3)]
        layer = ui.slider("Layer whose z you inspect", 1, 49, d.layer, key="zl") if inspect else d.layer
    with c3:
        scheme = ex.SCHEMES[ui.segmented(
            "Initialization", list(ex.SCHEMES), key="init", default="LeCun",
            help="Var(w): LeCun 1/n, Xavier 2/(n_in + n_out) (= 1/n here: every layer is n × n), He 2/n, orthogonal: an orthogonal matrix times the activation's gain, a factor "
                 "on the std (√2 for ReLU, 5/3 for tanh) (entries ≈ gain²/n), normal: σ_w².")]
        sigma_w = ui.select_slider("σ_w for the normal scheme", ex.STDS, d.sigma_w, key="sw") \
            if scheme == "normal" else d.sigma_w
    return ex.DeepSettings(ui.seed(), depth, width, act, scheme, sigma_w, layer)


@st.fragment
def one_neuron() -> None:
    st.header("One neuron: many small terms, one sizeable sum", anchor=False)
    d, (c1, c2, c3) = ex.NeuronSettings(), st.columns([1, 1, 1.2])
    with c1:
        n = ui.select_slider("Fan-in n (inputs to the neuron)", ex.FAN_INS, d.n, key="n")
    with c2:
        scaled = ui.segmented("Weight std", ["σ_w", "1/√n"], key="wrule", default="σ_w") == "1/√n"
        sigma_w = d.sigma_w if scaled else ui.select_slider("Weight std σ_w", ex.STDS, d.sigma_w, key="w_std")
    with c3:
        inputs = ui.segmented("Inputs x", ["normal", "uniform", "pixel"], key="x", default="normal",
                              help="normal: N(0, 1), standardized features. uniform: U(−1, 1). pixel: raw intensities in [0, 1], mostly dark (mean 0.2).")
    s = ex.NeuronSettings(ui.seed(), n, scaled, sigma_w, inputs)
    r, (terms, total) = ex.neuron(s), ex.neuron_view(s)
    left, right = st.columns(2)
    with left:
        chart(terms, "The single terms w·x pile up near 0 with long tails.", f"One term: typical size E|wᵢxᵢ| ≈ {r.mean_abs_product:.3g}; tiny, with long tails (far from a "
              "Gaussian).")
    with right:
        chart(total, "The sum z of the n terms is Gaussian, and follows the dashed predicted curve.",
              f"Their sum, {ex.TRIALS} neurons: bars measured, dashed the predicted N(0, n·Var(w)·E[x²]).")
    ui.markdown(
        "Each term has mean 0 (the weight's sign is random) and the terms are independent, so their variances add up, although their signs partly cancel "
        "(E[·] is an average over the random weights and inputs; E[x²] = Var(x) + mean²):",
        ui.formula_text(rf"\operatorname{{Var}}(z)=n\,\operatorname{{Var}}(w)\,\mathbb{{E}}[x^2]={n}\times"
                        rf"{s.std:.3g}^2\times{r.var_pred / (n * s.std ** 2):.3g}={r.var_pred:.3g}"),
        ui.readout({"Var(z) measured": f"{r.var_z:.3g}", "Var(z) predicted": f"{r.var_pred:.3g}",
                    "E|z| if no sign cancelled": f"{r.no_cancel:.3g}"}),
        "So z does not vanish: n small terms make a sum whose *spread* is $\\sqrt{n}$ times a term's. What must be ≈ 1 is that spread, not z itself — and "
        "$\\operatorname{Var}(w) = 1/n$ (σ = 1/√n, LeCun's choice) makes it E[x²], which is 1 for standardized inputs.")
    spec, data, sw = ex.sweep_view(s.sigma_w, inputs, s.seed)
    chart(spec, "With a fixed weight std, Var(z) grows in proportion to n; with std/√n it is flat.", f"Points measured, dashed predicted. A fixed std σ_w = {s.sigma_w:g}: "
              f"Var(z) grows like n. The std divided by √n: flat at σ_w²·E[x²] = {sw.var_scaled_pred[0]:.3g}; with σ_w = 1 that is E[x²] itself.")
    ui.reproduce(ex.neuron_reproduction(s), data, key="init_neuron")
    v, opts = ex.pixel_what_if(s.seed), ["about 0.051 = 256 × 0.05² × Var(x)", "about 0.077 = 256 × 0.05² × E[x²]"]
    ui.predict("predict_init_pixel", "Raw pixel inputs have variance Var(x) = 0.08 and mean 0.2. With n = 256 and σ_w = 0.05, what is Var(z)?", opts, correct=opts[int(abs(v - 0.077) < abs(v - 0.051))],
               reveal=f"The page measures {v:.3g}. What enters is E[x²] = Var(x) + mean² = 0.12: a weight of random sign turns the inputs' mean into spread as well (centering "
                      "removes it, as on page 2).")


@st.fragment
def many_layers() -> None:
    st.header("Through many layers: the same rule, repeated", anchor=False)
    s = network_controls()
    d, (spec, data) = ex.deep(s), ex.deep_view(s)
    ui.markdown(
        "Forward, each layer's $z$ is a neuron as above, fed by the last layer's outputs $h = f(z)$. The **mean-field map** is that rule applied layer after layer, with the "
        "average over a Gaussian $z$:",
        ui.formula_text(r"\operatorname{Var}(z_{l+1}) = n\operatorname{Var}(w)\,\mathbb{E}[f(z_l)^2]"
                        r" = n\operatorname{Var}(w)\,c\,\operatorname{Var}(z_l)"),
        "(c = 1 for linear, ½ for ReLU; for tanh and sigmoid the page computes the average numerically). **Backward, the chain rule** multiplies the gradient $g_l = \\partial "
        "L/\\partial z_l$ by $W^\\top$ and by $f'(z_l)$ at every layer; $W^\\top$ sums over the units a unit feeds (its fan-out), so",
        ui.formula_text(r"\operatorname{Var}(g_l) = \text{fan\_out}\cdot\operatorname{Var}(w)\cdot"
                        r"\mathbb{E}[f'(z_l)^2]\cdot\operatorname{Var}(g_{l+1})"),
        f"f′ is 0 or 1 for ReLU, yet the gradient can still vanish or explode, because the weights multiply it too: each layer multiplies Var(g) by fan_out·Var(w)·E[f′²], here {s.width * d.var_w:.3g} × E[f′²], and only a product of exactly 1 keeps it (for ReLU E[f′²] = ½, so fan_out·Var(w) must be 2). " + ex.activation_note(s.activation)
        + " The recipes, in short: 1/n for linear and tanh, 2/n for ReLU; none for a deep sigmoid stack (pick each activation above to see why).")
    chart(spec, "Forward and backward variance per layer on a log axis, measured points on dashed lines.", "Forward: Var(z) per layer, inputs N(0, 1). Backward: Var(∂L/∂z), "
              "from ∂L/∂output ~ N(0, 1), read right to left. Values beyond 10^±30 are pinned to the edge and labelled.")
    sp = ex.spread(s)
    mean_b, spread_b, within_b = ex.Spread.summary(sp.backward)
    st.markdown(ui.readout({f"Var(z) at layer {s.depth}": fmt(d.q[-1]), "Var(z) predicted": fmt(d.theory.q[-1])},
                           {"Var(∂L/∂z) at layer 1": fmt(d.grad[0]), "Var(∂L/∂z) predicted": fmt(d.theory.grad[0])}))
    ratio = d.grad[0] / d.theory.grad[0] if d.theory.grad[0] > 0 else float("nan")
    st.markdown(
        f"**Why measured and predicted {'differ' if abs(ratio - 1) > 0.2 else 'can differ'}** (here ×{ratio:.2g} at layer 1): the prediction is an average over networks. One network's layer multiplies by a random factor "
        f"near the predicted one, and {s.depth - 1} such factors compound. Over {ex.SPREAD_SEEDS} other networks of this setting (batches of 32) the layer-1 ratio averages {mean_b:.2g}, a "
        f"single network typically lands within ×/÷ {spread_b:.2g} of it, {within_b:.0%} fall within 20%, and {ex.Spread.rank(sp.backward, ratio)} land closer than this one. "
        "Move the width: the spread shrinks as n grows (each factor averages over more units).")
    if s.activation in ("tanh", "sigmoid") and d.saturation.max() > 0.2 and d.grad[0] > 10 * d.grad[-1]:
        st.markdown(f"**Saturated, yet exploding.** Up to {d.saturation.max():.0%} of the units sit where f′ ≈ 0, yet the gradient grows: n·Var(w) = {s.width * d.var_w:.3g} per "
                    f"layer, and E[f′²] = {d.slope_sq:.2f} (layer {d.slope_layer}) cuts it only to {s.width * d.var_w * d.slope_sq:.2g} > 1.")
    if (iv_off := [v for v in (*d.q, *d.grad) if fmt(v) in ("overflow", "underflow")]):
        st.warning(f"{len(iv_off)} variances left 10⁻³⁰…10³⁰: a real network would produce inf/NaN or zeros there. They are drawn pinned to the edge.", icon=":material/warning:")
    ui.reproduce(ex.deep_reproduction(s, "many"), data, key="init_deep")
    w, opts = ex.width_what_if(s), ["It grows", "About the same", "It shrinks"]
    ui.predict("predict_init_width", f"Same setting, but {w.other} units per layer instead of {s.width}. What happens to Var(z) at layer {s.depth}?", opts, correct=opts[w.answer],
               reveal=f"Predicted {fmt(w.pred_other)} (now {fmt(w.pred_now)}); one network of that width measures {fmt(w.meas_other)} (a single network wanders, as above). The "
                      "factor is n·Var(w)·c: a scheme that sets Var(w) ∝ 1/n makes it independent of the width; a fixed σ_w does not.")


@st.fragment
def inside() -> None:
    st.header("Inside the layers: the chain rule, one layer at a time", anchor=False)
    s = network_controls(inspect=True)
    d, (slope, factors, data) = ex.deep(s), ex.inside_view(s)
    st.markdown("Each point is one layer's factor on the gradient's variance, Var(gₗ)/Var(gₗ₊₁); the dashed line is fan_out·Var(w)·E[f′(zₗ)²]. Below the line at 1 the gradient "
                "shrinks, above it grows.")
    chart(factors, "Per-layer backward factors, measured around the dashed prediction: below 1 the gradient shrinks at every layer, above 1 it grows.")
    ui.formula(rf"\text{{fan\_out}}\cdot\operatorname{{Var}}(w)\cdot\mathbb{{E}}[f'(z)^2] = {s.width}\times"
               rf"{d.var_w:.3g}\times{d.slope_sq:.3g} = {s.width * d.var_w * d.slope_sq:.3g}",
               f"at layer {d.slope_layer}: E[f′(z)²] measured over the batch; {d.slope_sq_pred:.3g} predicted from the mean-field variance of z.")
    st.subheader(f"The slope f′(z) where z sits (layer {d.slope_layer})", anchor=False)
    chart(slope, "The slope curve f′(z) over the histogram of z: where z falls decides the gradient's factor.", ("" if s.layer == d.slope_layer else f"Layer {s.layer} is past "
               f"this {s.depth}-layer network: this is its last hidden layer. ") + "Where the bars sit under a flat part of the curve, f′ ≈ 0.")
    frac, what = (d.dead, "dead (z ≤ 0 for the whole batch: no gradient passes)") if s.activation == "relu" else (d.saturation, "saturated (|f| > 0.97, or outside [0.03, 0.97] for sigmoid, where f′ ≈ 0)")
    chart(ex.ridge_view(s), "Histograms of the activations at several layers, first to last: their spread changes with depth as the variance chart of Many layers says.",
          f"Each row: one layer's activations over the batch, as in Glorot & Bengio (2010), Fig. 6. Units {what}: at most {frac.max():.0%} in any layer.")
    ui.reproduce(ex.deep_reproduction(s, "inside"), data, key="init_inside")


@st.fragment
def unequal_widths() -> None:
    st.header("Unequal widths: forward follows fan-in, backward fan-out", anchor=False)
    d, (c1, c2) = ex.WidthSettings(), st.columns(2)
    with c1:
        profile = ui.segmented("Width profile", list(ex.iv.PROFILES), key="prof", default=d.profile)
        act = ex.ACTS[ui.segmented("Activation", ["linear", "ReLU"], key="wact", default="linear")]
    with c2:
        rule = ui.segmented("Var(w) from", list(ex.RULE_NAMES), key="rule", default=d.rule,
                            format_func=lambda r: ex.RULE_NAMES[r])
        depth = ui.slider("Layers", 4, 20, d.depth, key="wdepth")
    s = ex.WidthSettings(ui.seed(), profile, rule, act, depth)
    c, (spec, data) = ex.widths(s), ex.widths_view(s)
    st.markdown(
        "A unit of layer l sums over the n_in units below it, so **forward** the factor is n_in·Var(w); a gradient reaching a unit sums over the n_out units it feeds, so "
        "**backward** it is n_out·Var(w). On a square net the two are one number. Here the widths are " + " → ".join(map(str, c.widths)) + " (with ReLU every Var(w) is doubled: "
        "a gain of √2 on the std): Var(w) = 1/n_in keeps the forward line flat while the backward one drifts by n_out/n_in per layer, 1/n_out the reverse; **Glorot's 2/(n_in + "
        "n_out)** (the scheme called Xavier) is the compromise that keeps both nearer 1 without keeping either flat. (PyTorch's `kaiming_normal_` offers both ends: `mode='fan_in'` preserves the forward "
        "pass, `mode='fan_out'` the backward.)")
    chart(spec, "Forward and backward variance per layer for layers of unequal width, with predictions.")
    st.markdown(ui.table(ex.widths_all_rules(s), {f"Var(z) at layer {depth}": ".3g", "Var(∂L/∂z) at layer 1": ".3g"})
                + f"\n\nPredicted for every rule (ReLU: gain² = 2). Measured with this rule: Var(z) at layer {depth} **{fmt(c.q[-1])}** (predicted {fmt(c.theory.q[-1])}), "
                f"Var(∂L/∂z) at layer 1 **{fmt(c.grad[0])}** (predicted {fmt(c.theory.grad[0])}).")
    ui.reproduce(ex.widths_reproduction(s), data, key="init_widths")


@st.fragment
def residual() -> None:
    st.header("Residual networks: skips add variance, unless the branch starts small", anchor=False)
    d = ex.ResidualSettings()
    blocks = ui.slider("Residual blocks L", 2, 50, d.blocks, key="blocks")
    s = ex.ResidualSettings(ui.seed(), blocks, ui.select_slider("Width n", ex.WIDTHS, d.width, key="rwidth"))
    runs, (spec, data) = ex.residual(s), ex.residual_view(s)
    ui.markdown(
        "A residual block adds a branch to its input: $h_l = h_{l-1} + \\alpha\\,\\mathrm{relu}(h_{l-1}A_l)\\,B_l$, with $A$ at He's 2/n and $B$ at 1/n, so the branch alone has "
        "the variance of its input. It is uncorrelated with the input, so the variances add:",
        ui.formula_text(r"\mathbb{E}[h_l^2] = (1+\alpha^2)\,\mathbb{E}[h_{l-1}^2] \;\Rightarrow\; (1+\alpha^2)^l"),
        "**Plain skips** (α = 1) double it per block: 2ᴸ. **Scaling each branch by 1/√L** gives (1 + 1/L)ᴸ < e ≈ 2.72 at any depth. **Initializing each branch's last layer to "
        "0** (Fixup, Zhang et al. 2019; Goyal et al. 2017 get the same start by zeroing the scale γ of the branch's last normalization layer, the next page's subject) makes "
        "every block the identity: 1. The gradient on its way back picks up the same factor.")
    chart(spec, "Plain skips grow E[h²] as 2 to the l; the scaled branch stays below e; the zero-initialized branch stays at 1; each on its dashed prediction.")
    mean_r, spread_r, _ = ex.Spread.summary(ex.residual_spread(s))
    ui.markdown(ui.table(ex.residual_table(s)), f"The plain network here lands ×{runs['plain'].q[-1] / runs['plain'].theory.q[-1]:.2g} off its prediction: each block multiplies E[h²] by a random factor near 2, and {blocks} of them compound. Over {ex.SPREAD_SEEDS} other networks the ratio averages {mean_r:.2g}, one network typically within ×/÷ {spread_r:.2g}; the scaled and zero branches multiply by factors near 1 and barely wander.")
    ui.reproduce(ex.residual_reproduction(s), data, key="init_residual")
    opts, plain = ["It stays about 1", f"It grows about {blocks}-fold", f"It grows about 2^{blocks}-fold"], \
        runs["plain"].q[-1]
    ui.predict("predict_init_residual", f"Plain skips, {blocks} blocks: each adds a branch as large as its input. What happens to E[h²]?", opts, correct=opts[ex.nearest_growth(plain, blocks)],
               reveal=f"Measured {fmt(plain)} after {blocks} blocks (2^{blocks} = {2.0 ** blocks:.3g}): the skips keep the signal, but they do not stop the variance adding up.")


@st.fragment
def goldilocks() -> None:
    st.header("The Goldilocks zone: σ_w × depth", anchor=False)
    act = ex.ACTS[ui.segmented("Activation for the map", ["ReLU", "tanh", "linear", "sigmoid"], key="g_act",
                               default="ReLU")]
    quantity = ui.segmented("Show", ["forward", "backward"], key="g_q", default="forward")
    (spec, n_over), g = ex.gold_view(act, quantity, ui.seed()), ex.gold(act, ui.seed())
    st.markdown(
        "Each column is one network of 50 layers, 32 units wide, with weights N(0, g²/n): the **gain** g = σ_w√n is the weights' std in units of 1/√n. Each row reads its "
        f"variance that many layers in (backward: that many layers below the output); colour is log₁₀ of it, white ≈ 1. The dashed line is the critical gain ({g.critical:.3g} "
        f"here), where fan_out·Var(w)·E[f′²] = 1. Look for the narrow pale band around it: left of it everything fades with depth, right of it everything explodes ({n_over} "
        "cells beyond 10³⁰, marked ▲).")
    chart(spec, "log variance over gain and depth: near 1 only in a narrow band around the critical gain; elsewhere it vanishes or explodes with depth.")
    ui.reproduce(ex.gold_reproduction(act, ui.seed()), None, key="init_gold")


@st.fragment
def training() -> None:
    st.header("Does it train?", anchor=False)
    act = ex.ACTS[ui.segmented("Activation", ["ReLU", "tanh"], key="t_act", default="ReLU")]
    depth = ui.select_slider("Depth (layers)", [10, 20, 30], 20, key="t_depth")
    with st.spinner("Training five networks (cached afterwards)…"):
        t = ex.train_view(act, depth, ui.seed())
    chart(t.spec, "Training loss per scheme: the schemes that keep the variance near 1 train, those whose signal vanished stay flat.", f"MSE loss, 10-step mean, log axis up to {ex.LOSS_CAP:g}× the highest starting loss; a run that passes it is cut there.")
    for name, (step, top) in t.diverged.items():
        ui.diverged_notice(step, f"{name}: its loss passed {ex.LOSS_CAP:g}× the highest starting loss and reached {top:.3g}; its curve is cut there, so the others stay readable.")
    st.markdown(ui.table(t.table))
    st.markdown(
        f"**Reading the ranking.** The same data, mini-batches and optimizer for every run; only Var(w) differs. Where the forward signal vanished before the output ({'normal σ_w = 0.01, and LeCun or Xavier, which halve it at every ReLU layer' if act == 'relu' else 'normal σ_w = 0.01'}), "
        f"the output hardly depends on the input: the loss stays near ½·Var(y) = {ex.flat_loss(ui.seed()):.3g}, what always predicting y's mean gives (the loss is half the mean "
        "squared error), and those curves lie on top of each other. " + ("He keeps the variance, so it trains. " if act == "relu" else "With tanh, 1/n decays only slowly (Many layers), so LeCun and Xavier train too. ")
        + "Orthogonal has the variance of its gain but every singular value equal: it keeps the length of *every* input direction, where a Gaussian matrix stretches some and "
        "squashes others, and in deep linear networks Saxe et al. (2014) show such starts learn at a speed independent of depth. Change the seed in the sidebar to see how much "
        "of each gap is luck.")
    ui.reproduce(ex.train_reproduction(act, depth, ui.seed()), None, key="init_train")


ui.parts(by_url_path("init_variance").parts, one_neuron, many_layers, inside, unequal_widths, residual, goldilocks,
         training)
ui.answer(
    "z doesn't vanish because n terms add: their variances add up to n·Var(w)·E[x²], so what must be ≈ 1 is the spread of z, not z. Every layer multiplies that spread by "
    "n·Var(w)·c forward, and the gradient's by fan_out·Var(w)·E[f′(z)²] backward: anything but 1, multiplied L times, vanishes or explodes. 1/n is the recipe for tanh (a slow, "
    "polynomial decay remains), 2/n for ReLU; Glorot's 2/(n_in + n_out) splits fan-in and fan-out when widths differ; residual networks need their branches scaled down or "
    "zero-initialized.")
ui.references(
    "Y. LeCun, L. Bottou, G. Orr, K.-R. Müller (1998), *Efficient BackProp*: inputs of mean 0, Var(w) = 1/fan-in.",
    "X. Glorot, Y. Bengio (2010), *Understanding the difficulty of training deep feedforward neural networks*.",
    "K. He, X. Zhang, S. Ren, J. Sun (2015), *Delving Deep into Rectifiers*: 2/n for ReLU, forward and backward.",
    "A. Saxe, J. McClelland, S. Ganguli (2014), *Exact solutions to the nonlinear dynamics of learning in deep linear neural networks*: orthogonal initialization.",
    "B. Poole, S. Lahiri, M. Raghu, J. Sohl-Dickstein, S. Ganguli (2016), *Exponential expressivity in deep neural networks through transient chaos*: the mean-field variance "
    "map.",
    "H. Zhang, Y. Dauphin, T. Ma (2019), *Fixup Initialization: Residual Learning Without Normalization*.",
    "P. Goyal et al. (2017), *Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour*: zero γ in residual blocks.")
