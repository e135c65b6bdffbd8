"""5 · BatchNorm: standardizing the hidden layers, and what γ, β and running statistics do."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pandas as pd
import streamlit as st

import ui
from charts import batchnorm as C
from charts.common import cached, show, spec
from core import bn_experiments as E
from core import datasets
from ui.nav import by_url_path

LRS = (0.5, 2.0, 8.0)
INIT_SCALES = (0.1, 1.0, 10.0)
PROBE_EVERY = 25
MAX_RUNS = 64  # training runs kept in memory
BATCH_SIZE = 32
NOISE_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256)
MU, SIGMA = 3.0, 2.0  # the population one unit's pre-activations come from (sections 1, 4, 5)


# ---------------------------------------------------------------------------------------------------------
# Cached core calls (scalar arguments only). One seed, six streams: np.random.default_rng(seed).spawn(6),
# child 0 for the training runs, 1-5 for the unit batch, batch statistics, tiny batches, running stats, invariance.
# ---------------------------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def batch_for(seed: int, m: int) -> np.ndarray:
    return datasets.unit_batch(m, np.random.default_rng(seed).spawn(6)[1], mu=MU, sigma=SIGMA)


@st.cache_resource(show_spinner=False)
def run_store() -> OrderedDict:
    """Finished training runs, shared by all sessions (like st.cache_data, but it lets a run report progress:
    st.cache_data would record the progress bar's updates and fail to replay them)."""
    return OrderedDict()


def train(seed: int, batchnorm: bool, lr: float, steps: int, width: int, init_scale: float = 1.0,
          bn_momentum: float = 0.1, progress=None) -> E.Run:
    key = (seed, batchnorm, lr, steps, width, init_scale, bn_momentum)
    store = run_store()
    if key not in store:
        store[key] = E.train_run(np.random.default_rng(seed).spawn(6)[0], batchnorm=batchnorm, lr=lr, steps=steps,
                                 width=width, batch_size=BATCH_SIZE, init_scale=init_scale, bn_momentum=bn_momentum,
                                 probe_every=PROBE_EVERY, callback=progress)
        while len(store) > MAX_RUNS:
            store.popitem(last=False)
    return store[key]


@st.cache_data(show_spinner=False, max_entries=64)
def transform_for(seed: int, m: int, gamma: float, beta: float):
    return E.transform(batch_for(seed, m), gamma, beta)


def histogram_width(phone: bool) -> int:
    return C.HISTOGRAM_WIDTH_PHONE if phone else C.HISTOGRAM_WIDTH


@st.cache_data(show_spinner=False, max_entries=64)
def transform_view(seed: int, m: int, gamma: float, beta: float, identity: bool, phone: bool = False) -> dict:
    """The four histograms of the transform as a chart, built once per setting (narrower on a phone)."""
    steps, _ = transform_for(seed, m, gamma, beta)
    return spec(C.transform_histograms(C.transform_frame(steps, batch_for(seed, m)), identity=identity,
                                       width=histogram_width(phone)))


@st.cache_data(show_spinner=False, max_entries=64)
def spread_for(seed: int) -> E.BatchStatSpread:
    return E.batch_stat_spread(NOISE_SIZES, n_batches=2000, rng=np.random.default_rng(seed).spawn(6)[2],
                               mu=MU, sigma=SIGMA)


@st.cache_data(show_spinner=False, max_entries=64)
def tiny_for(seed: int, m: int) -> np.ndarray:
    return E.tiny_batch_x_hat(m, 4, np.random.default_rng(seed).spawn(6)[3])


@st.cache_data(show_spinner=False, max_entries=64)
def running_for(seed: int, convention: str, m: int, steps: int) -> E.RunningStats:
    return E.running_stats(convention, batch_size=m, steps=steps, rng=np.random.default_rng(seed).spawn(6)[4],
                           mu=MU, sigma=SIGMA)


@st.cache_data(show_spinner=False, max_entries=64)
def invariance_for(seed: int) -> E.ScaleInvariance:
    return E.scale_invariance(INIT_SCALES, rng=np.random.default_rng(seed).spawn(6)[5])


def train_all(configs: list[dict], what: str) -> list[E.Run]:
    """Run (or fetch from the cache) several trainings, with one progress bar that shows only if needed."""
    slot, total = st.empty(), len(configs)
    results = []
    for i, cfg in enumerate(configs):
        def tick(t: int, n: int, i: int = i) -> None:
            if t % 25 == 0 or t == n:
                slot.progress((i + t / n) / total, text=f"Training {what}: run {i + 1} of {total}, step {t}")
        results.append(train(**cfg, progress=tick))
    slot.empty()
    return results


def panels(df: pd.DataFrame, facet: str, metric: str, alt_text) -> None:
    """One small chart per value of ``facet``, side by side (stacked on a phone), on a shared y range."""
    values = list(dict.fromkeys(df[facet]))
    domain = C.y_domain(df[metric], log=metric == "loss")
    for col, value in zip(st.columns(len(values)), values, strict=True):
        with col:
            st.markdown(f"**{value}**")
            show(cached(C.curves, df[df[facet] == value], metric=metric, domain=domain),
                 alt_text(value))


def explain_failures(runs: dict, name) -> None:
    """A divergence notice per diverged run, and one note listing the runs stuck at chance, in one container: the
    elements after it keep their positions in the page however many notices there are (an element that moves is
    drawn from scratch by the browser)."""
    with st.container():
        _failure_notices(runs, name)


def _failure_notices(runs: dict, name) -> None:
    for key, run in runs.items():
        if run.diverged_step is not None:
            ui.diverged_notice(run.diverged_step, "Its loss overflowed; the curve stops at the last finite "
                               "point. A smaller learning rate, or BatchNorm, keeps it finite.", what=name(key))
    stuck = [f"{name(k)} (ends at {E.final_loss(r):.2f})" for k, r in runs.items() if E.is_stuck(r)]
    if stuck:
        st.info(f"Still near chance, loss ≈ ln 10 = {E.CHANCE_LOSS:.2f} (a uniform guess over 10 classes): "
                f"{'; '.join(stuck)}. A sigmoid network without BN often sits on such a plateau for hundreds "
                "of steps before it starts to learn: raise the SGD steps above to see whether it escapes.",
                icon=":material/trending_flat:")


# ---------------------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------------------

seed = ui.seed()
ui.page_header("5 · BatchNorm",
               "What does BatchNorm do, why the learnable γ and β, and why does it behave differently at test time?")
st.markdown(
    "Page 1 standardized the **inputs**. BatchNorm does the same to every **hidden** pre-activation, on each "
    "mini-batch, then lets the network rescale it with two learnable numbers per unit, γ and β."
)


@st.fragment
def transform_section() -> None:
    st.subheader("1 · The transform, step by step", anchor="transform")
    st.caption(f"One hidden unit's pre-activations over a mini-batch, drawn from N({MU:g}, {SIGMA:g}²).")
    # the faceted histograms keep their own width (a faceted chart does not follow its column's), the controls
    # beside them or, in a narrow window, below them
    phone = ui.on_phone()
    left, right = ui.beside(histogram_width(phone) + C.HISTOGRAM_AXES, key="transform")
    with right:
        m = ui.slider("Batch size m", 2, 256, 64, key="m", help="Samples in the mini-batch.")
        x = batch_for(seed, m)
        sigma_b, mu_b = E.identity_gamma_beta(x)
        gamma = ui.slider("γ (scale)", 0.0, 6.0, 1.0, key="gamma", step=0.01)
        beta = ui.slider("β (shift)", -6.0, 6.0, 0.0, key="beta", step=0.01)

        def set_identity() -> None:
            st.session_state["gamma"], st.session_state["beta"] = sigma_b, mu_b

        st.button("Set γ = σ_B, β = μ_B", on_click=set_identity, key="identity", icon=":material/undo:",
                  help="The one choice of γ and β that undoes the normalization.")
        steps, gap = transform_for(seed, m, gamma, beta)
        ui.markdown(ui.formula_text(r"\mu_B=\tfrac1m\sum_i x_i,\quad \sigma_B^2=\tfrac1m\sum_i (x_i-\mu_B)^2"),
                    ui.formula_text(r"\hat x_i=\frac{x_i-\mu_B}{\sqrt{\sigma_B^2+\epsilon}},\qquad "
                                    r"y_i=\gamma\,\hat x_i+\beta"))
        identity = gap < 1e-9
        # one Markdown table, not st.metric in columns: fewer elements for the browser to redraw per slider move
        st.markdown(ui.readout({"μ_B (this batch)": f"{float(steps.mu):.4f}",
                                "σ_B = √(σ_B²+ε)": f"{float(steps.std):.4f}"},
                               {"max |y − x|": f"{gap:.2e}"},
                               note="max |y − x| is 0 (up to rounding) exactly when γ = σ_B and β = μ_B."))
        if identity:
            st.success("γ = σ_B and β = μ_B: the output is the input again. BatchNorm can always undo itself, "
                       "so normalizing costs the layer nothing it could express.", icon=":material/check:")
    with left:
        show(transform_view(seed, m, gamma, beta, identity, phone),
             "Four histograms of the same mini-batch: x as drawn, centred on μ_B; x − μ_B centred on 0; "
             "x̂ with mean 0 and std 1; y = γx̂ + β with mean β and std about |γ|.")
        # the numbers live in the caption: an alt text that moved with m would make Streamlit rebuild the chart
        st.caption(f"These are the same {m} values at every step: x is centred on μ_B = {float(steps.mu):.2f}. "
                   f"Step 2 always has mean 0, step 3 mean 0 and std 1, whatever the batch. Step 4 puts the mean "
                   f"at β = {beta:.2f} and the std at |γ| = {abs(gamma):.2f} (times √(σ_B²/(σ_B²+ε)), a hair under 1).")


def network_controls() -> tuple[int, int]:
    """The network of parts 2, 3 and 5: drawn in whichever of them is open, one setting for all three."""
    with st.container(border=True):
        st.caption("The network of parts 2, 3 and 5 (BN off vs on, Bad init, Eval mode): one setting for all "
                   "three. Changing it retrains, with a progress bar.")
        c1, c2 = st.columns(2)
        with c1:
            width = ui.select_slider("Width (units per hidden layer)", [32, 64, 100], 32, key="width")
        with c2:
            steps = ui.select_slider("SGD steps", [100, 200, 400], 200, key="steps")  # 800 took 15 s to train
    return width, steps


@st.fragment
def training_section(width: int, steps: int) -> None:
    metric = ui.segmented("Show", ["loss", "accuracy"], key="metric", default="loss")
    st.caption(f"A 3-hidden-layer sigmoid network (Ioffe & Szegedy's Figure 1 setup, scaled down from 100 units "
               f"and 50 000 steps to {width} units and {steps} steps so it trains in seconds) on 10 classes in 20 "
               f"dimensions, 3 overlapping clusters per class; plain SGD, batch size {BATCH_SIZE}, "
               f"Xavier init. Curves are smoothed over 10 steps.")
    configs = [dict(seed=seed, batchnorm=b, lr=lr, steps=steps, width=width) for lr in LRS for b in (False, True)]
    runs = dict(zip([(c["lr"], c["batchnorm"]) for c in configs],
                    train_all(configs, f"BN off and on at {len(LRS)} learning rates"), strict=True))
    df = C.runs_frame({(f"η = {lr:g}", b): r for (lr, b), r in runs.items()}, facet="learning rate")
    finals = {k: E.final_loss(r) for k, r in runs.items()}
    better = sum(finals[(lr, True)] < finals[(lr, False)] for lr in LRS)
    panels(df, "learning rate", metric,
           lambda v: f"Training {metric} at {v}, BN off (orange, solid) vs on (blue, dashed). Over the "
                     f"{len(LRS)} learning rates BN on ends lower at {better}.")
    explain_failures(runs, lambda k: f"BN {'on' if k[1] else 'off'} at η = {k[0]:g}")
    table = pd.DataFrame({"learning rate η": [f"{lr:g}" for lr in LRS],
                          "final loss, BN off": [finals[(lr, False)] for lr in LRS],
                          "final loss, BN on": [finals[(lr, True)] for lr in LRS]})
    st.markdown(ui.table(table, {c: ".3f" for c in table.columns[1:]}))

    st.markdown("**What one hidden unit sees during training** (the input u of a sigmoid in the last hidden "
                "layer, over 128 held-out samples; as Ioffe & Szegedy's Figure 1).")
    lr_fig = ui.select_slider("Learning rate for this view", list(LRS), 2.0, key="lr_fig1")
    bands = C.percentile_frame({b: runs[(lr_fig, b)] for b in (False, True)})
    show(cached(C.percentile_bands, bands),
         "15th, 50th and 85th percentiles of one unit's input over training, BN off (orange, solid median) and "
         "on (blue, dashed median) on one axis. Without BN the distribution drifts as the layers below change; "
         "with BN it stays centred with a steady spread.")
    st.caption("Without BN the layer below keeps moving the distribution its sigmoid sees (internal covariate "
               "shift, in the paper's words); with BN it stays near mean β and spread γ, moved only by "
               "the learned γ and β.")
    code = f"""import numpy as np
from core import bn_experiments as E
runs = {{(lr, bn): E.train_run(np.random.default_rng({seed}).spawn(6)[0], batchnorm=bn, lr=lr, steps={steps}, width={width}, batch_size={BATCH_SIZE},
                               probe_every={PROBE_EVERY})
        for lr in {LRS} for bn in (False, True)}}
{{k: E.final_loss(r) for k, r in runs.items()}}"""
    ui.reproduce(code, df, file_name="batchnorm_training_curves.csv", key="csv_training")


@st.fragment
def init_section(width: int, steps: int) -> None:
    lr = ui.select_slider("Learning rate", list(LRS), 2.0, key="lr_init")
    configs = [dict(seed=seed, batchnorm=b, lr=lr, steps=steps, width=width, init_scale=a)
               for a in INIT_SCALES for b in (False, True)]
    runs = dict(zip([(c["init_scale"], c["batchnorm"]) for c in configs],
                    train_all(configs, "BN off and on from three initial scales"), strict=True))
    left, right = st.columns([2, 3], gap="large")
    with left:
        ui.markdown(ui.formula_text(r"\mathrm{BN}\big((aW)u\big)=\mathrm{BN}(Wu)",
                                    "The batch mean and std of a·z are a·μ_B and a·σ_B: the factor a cancels."),
                    ui.formula_text(r"\frac{\partial L}{\partial (aW)}=\frac1a\,\frac{\partial L}{\partial W}",
                                    "Larger weights get proportionally smaller gradients."))
    with right:
        inv = invariance_for(seed)
        table = pd.DataFrame({
            "a": inv.scales,
            "max |Δ|, ε = 0": inv.out_diff_eps0,
            "max |Δ|, ε = 1e-5": inv.out_diff,
            "gradient ratio": inv.grad_ratio,
            "predicted 1/a": inv.grad_ratio_theory,
        })  # fmt: skip
        ui.markdown(ui.table(table, {"a": "g", **{c: ".2e" for c in table.columns[1:3]},
                                     **{c: ".4f" for c in table.columns[3:]}}),
                    ui.note_text("Measured on one BN layer (64 samples, 10 inputs, 5 units): Δ = BN((aW)u) − "
                                 "BN(Wu), and the gradient ratio is ‖∂L/∂(aW)‖ / ‖∂L/∂W‖. With ε = 0 the outputs "
                                 "agree to rounding; ε adds a small dependence on the scale, about ε/σ_B²."))
    df = C.runs_frame({(f"σ_w × {a:g}", b): r for (a, b), r in runs.items()}, facet="initial scale")
    st.markdown("**Training loss, hidden weights scaled from Xavier by ×0.1, ×1, ×10:**")
    panels(df, "initial scale", "loss",
           lambda v: f"Training loss from {v}: without BN the scale changes everything; with BN the forward "
                     "pass is the same for every scale and only the effective step size differs.")
    explain_failures(runs, lambda k: f"BN {'on' if k[1] else 'off'} with σ_w × {k[0]:g}")
    st.caption("With BN, scaling the hidden weights by a changes nothing in the forward pass, and the gradient "
               "shrinks by 1/a while the weights grow by a: each step moves them 1/a² as much, relative to their "
               "size. So a bad scale becomes a different effective learning rate (η/a²), never dead or "
               "saturated units. The output layer has no BN after it, so only hidden weights are scaled here.")


@st.fragment
def noise_section() -> None:
    st.subheader("4 · Batch size and noise in μ_B and σ_B", anchor="batch-noise")
    spread = spread_for(seed)
    left, right = st.columns([3, 2], gap="large")
    with left:
        df = C.spread_frame(spread)
        show(cached(C.spread_chart, df),
             "Spread of the batch mean and batch std across 2000 mini-batches, against batch size on log axes: "
             "both fall like 1/√m, on the predicted dashed lines.")
        st.caption(f"2000 mini-batches of each size from N({MU:g}, {SIGMA:g}²). Points: measured standard deviation "
                   "across batches; dashed: theory. m = 1 is off the log axis for σ_B (it is always 0).")
    with right:
        i = list(NOISE_SIZES).index(32)
        ui.markdown(ui.formula_text(r"\operatorname{sd}(\mu_B)=\frac{\sigma}{\sqrt m},\qquad "
                                    r"\operatorname{sd}(\sigma_B)\approx\frac{\sigma}{\sqrt{2m}}",
                                    "For normal data; the σ_B line uses the exact c₄(m) form."),
                    ui.readout({"sd(μ_B), m = 32": f"{spread.mu_sd[i]:.4f}",
                                "predicted σ/√32": f"{spread.mu_sd_theory[i]:.4f}"},
                               note="Measured across 2000 mini-batches."),
                    "Every sample is normalized with statistics that wobble from batch to batch: a little noise "
                    "(a mild regularizer) for large batches, a lot for small ones.")
    st.markdown("**Batch size 1 and 2.** Four mini-batches each, x̂ of every sample:")
    one, two = st.columns(2)
    with one:
        ui.markdown(ui.table(pd.DataFrame(tiny_for(seed, 1), columns=["x̂ (m = 1)"]), {"x̂ (m = 1)": "g"}),
                    ui.note_text("m = 1: x − μ_B = 0, so x̂ = 0 whatever x was. The unit passes on nothing but β. "
                                 "(PyTorch refuses to train BN with one sample per batch for this reason.)"))
    with two:
        two_cols = ["x̂ sample 1", "x̂ sample 2"]
        ui.markdown(ui.table(pd.DataFrame(tiny_for(seed, 2), columns=two_cols), dict.fromkeys(two_cols, ".5f")),
                    ui.note_text("m = 2: the two samples sit at ±d/2 from their mean, and σ_B = d/2, so x̂ = ±1 "
                                 "(just under, because of ε). Only which of the two is larger survives."))


@st.fragment
def eval_section(width: int, steps: int) -> None:
    st.markdown("At test time there may be a single sample, so BN cannot use batch statistics. During training "
                "it keeps running averages of μ_B and σ_B², and at test time normalizes with those: a fixed "
                "affine map per unit.")
    names = {k: v["label"] for k, v in E.CONVENTIONS.items()}
    c1, c2 = st.columns(2)
    with c1:
        convention = ui.segmented("Convention", list(names), key="conv", default="pytorch",
                                  help="; ".join(f"{k}: {v}" for k, v in names.items()))
        st.caption(names[convention])
    with c2:
        m = ui.select_slider("Batch size m", [2, 4, 8, 16, 32, 64], 4, key="m_run")
    stats = running_for(seed, convention, m, 600)
    left, right = st.columns([3, 2], gap="large")
    c = E.CONVENTIONS[convention]
    with left:
        df = C.running_frame(stats)
        show(cached(C.running_chart, df, true_var=stats.true_var, target_var=stats.target_var),
             f"Running variance (blue line) over 600 steps with {names[convention]}: it forgets its start value 1 "
             f"and settles around {stats.target_var:.3g}; the true variance is {stats.true_var:.3g}.")
        st.caption("Blue line: the running variance. Grey dots: each mini-batch's own (biased) variance, "
                   "what training normalizes with. Values above the plot are clipped.")
    with right:
        ui.markdown(ui.formula_text(r"\hat\mu \leftarrow (1-w)\,\hat\mu + w\,\mu_B"),
                    ui.formula_text(r"\hat\sigma^2 \leftarrow (1-w)\,\hat\sigma^2 + w\,s_B^2",
                                    f"Here w = {c['weight_new']:g} and s_B² divides by "
                                    f"{'m − 1 (unbiased)' if c['unbiased'] else 'm (biased)'}; training itself "
                                    "always normalizes with the biased σ_B² (÷m)."))
        ui.markdown(ui.readout({"running var, late": f"{stats.settled_var():.3f}",
                                "predicted": f"{stats.target_var:.3f}"},
                               note="Late: the mean of the running variance over the last 300 steps. Predicted: "
                                    "σ² with the unbiased batch variance, σ²(m − 1)/m with the biased one."),
                    ui.note_text("PyTorch's momentum is the weight of the new batch (0.1). Keras's momentum is the "
                                 "weight of the old value (0.99), so it averages over ~100 batches, not ~10. With a "
                                 "biased running variance and a small batch, the estimate settles (m − 1)/m too "
                                 "low."),
                    ui.formula_text(r"y_{\text{eval}}=\frac{\gamma}{\sqrt{\hat\sigma^2+\epsilon}}\,x+"
                                    r"\Big(\beta-\frac{\gamma\,\hat\mu}{\sqrt{\hat\sigma^2+\epsilon}}\Big)",
                                    "Ioffe & Szegedy's Algorithm 2: at test time BN is a fixed affine map."))

    st.markdown("**The gap between the two modes in the network of section 2** (BN on, held-out loss; its width "
                "and steps are set above, for parts 2, 3 and 5 together).")
    lr = ui.select_slider("Learning rate", list(LRS), 2.0, key="lr_gap")
    momenta = {"momentum 0.1 (PyTorch default)": 0.1}
    if convention == "keras":
        momenta["momentum 0.01 (Keras default 0.99)"] = 0.01
    configs = [dict(seed=seed, batchnorm=True, lr=lr, steps=steps, width=width, bn_momentum=w)
               for w in momenta.values()]
    runs = dict(zip(momenta, train_all(configs, "BN on, eval vs train mode"), strict=True))
    gaps = C.gap_frame(runs)
    domain = C.y_domain(gaps["test loss"], log=True)
    for col, label in zip(st.columns(2), runs, strict=False):
        with col:
            st.markdown(f"**{label}**")
            show(cached(C.gap_chart, gaps[gaps["convention"] == label], domain=domain),
                 f"{label}: held-out loss of the BN network in train mode (batch statistics) and eval mode "
                 "(running statistics); they differ most early in training, and more when the average is slow.")
    lines = []
    for label, run in runs.items():
        gap = E.eval_gap(run)
        if len(gap) > 1:
            lines.append(f"{label}: |train − eval| = {gap[1]:.3f} nats at step {run.probe_steps[1]}, "
                         f"{gap[-1]:.3f} at step {run.probe_steps[-1]}")
    st.caption("; ".join(lines) + ". Eval mode uses averages of batch statistics from a network that has since "
               "changed, so it lags most while the weights move fast. The engine's running variance is "
               "PyTorch's unbiased one; the Keras run differs only in averaging speed."
               + ("" if convention == "keras" else " Pick the Keras convention above to add a slow average."))


def off_on_part() -> None:
    """Part 2: its heading, the shared network controls, the training curves."""
    st.subheader("2 · BN off vs on: the same network, the same start, the same mini-batches",
                 anchor="bn-off-vs-on")
    training_section(*network_controls())


def bad_init_part() -> None:
    """Part 3: its heading, the shared network controls, the runs from bad scales."""
    st.subheader("3 · BN rescues a bad initialization", anchor="bad-init")
    init_section(*network_controls())
    ui.predict_then_look(
        "In the BN network, multiply every hidden weight by 10. Will the first forward pass change? Will "
        "training?",
        "The first forward pass is **identical** (BN((aW)u) = BN(Wu)). Training is not: the gradients are 10× "
        "smaller while the weights are 10× larger, so each step moves them 100× less, relatively. The BN-on "
        "curves above, for ×0.1, ×1, ×10: same start, different speed.",
        key="ptl_scale",
    )


def noise_part() -> None:
    """Part 4 and its predict-then-look question."""
    noise_section()
    ui.predict_then_look(
        "You train BN with batch size 2. What values can x̂ take?",
        "Only (almost exactly) +1 and −1: the larger sample gets +1, the smaller −1 (the note above). With "
        "batch size 1 it is always 0. That is why BN needs batches of more than a few samples, and why eval "
        "mode uses running statistics instead.",
        key="ptl_tiny",
    )


def eval_part() -> None:
    """Part 5: its heading, the shared network controls, train vs eval mode."""
    st.subheader("5 · Train mode vs eval mode: running statistics", anchor="eval-mode")
    eval_section(*network_controls())


# One part at a time: each runs only while its tab is open.
ui.parts(by_url_path("batchnorm").parts,
         transform_section, off_on_part, bad_init_part, noise_part, eval_part)

st.divider()
ui.answer(
    "BatchNorm standardizes each hidden unit over the mini-batch, so the layers above see inputs with a steady "
    "mean and spread whatever the weights below do; this allows larger learning rates and forgives a badly "
    "scaled init. γ and β give back the scale and shift (γ = σ_B, β = μ_B undoes it), so nothing is lost. At "
    "test time there is no batch to average over, so BN uses running averages collected in training "
    "(PyTorch: momentum 0.1, unbiased variance), and the two modes agree only once those averages have caught up."
)
