"""5 · BatchNorm: standardizing the hidden layers, what γ, β and running statistics do, and why it helps."""

from __future__ import annotations

import streamlit as st

import ui
from charts import batchnorm as charts
from experiments import batchnorm as ex
from ui.nav import by_url_path

SEED = ui.seed()
ui.page_header("What does BatchNorm do, why the learnable γ and β, why does it behave differently at test time, and why does it help training?")
st.markdown("Page 2 standardized the **inputs**. BatchNorm (BN; Ioffe & Szegedy 2015) does the same to every **hidden** pre-activation (a unit's weighted sum before its nonlinearity), on each mini-batch, and then lets the network rescale it with two learnable numbers per unit, γ and β.")


def chart(spec: dict, alt: str, width: str = "stretch") -> None:
    st.vega_lite_chart(spec=spec, width=width, alt=alt)


def panels(p: ex.Panels, alt_for) -> None:
    """Side-by-side training curves, then what diverged or is stuck, in words (in one container, so the elements
    after it keep their places however many notices there are)."""
    for col, title, spec in zip(st.columns(len(p.titles)), p.titles, p.specs, strict=True):
        with col:
            st.markdown(f"**{title}**")
            chart(spec, alt_for(title))
    ui.legend("Orange, solid: BN off; blue, dashed: BN on. Training loss is the softmax cross-entropy with natural logarithms, measured in nats; curves smoothed over 10 steps.")
    with st.container():
        for what, step in p.diverged:
            ui.diverged_notice(step, "Its loss overflowed; the curve stops at the last finite point. A smaller learning rate, or BatchNorm, keeps it finite.", what=what)
        if p.stuck:
            st.info(f"Still near chance, loss ≈ ln 10 = {ex.E.CHANCE_LOSS:.2f} nats (a uniform guess over 10 classes): {'; '.join(p.stuck)}. A sigmoid network without BN often sits on such a plateau for hundreds of steps: raise the SGD steps to see whether it escapes.", icon=":material/trending_flat:")


def transform_part() -> None:
    st.markdown(f"One hidden unit's pre-activations over a mini-batch, drawn from N({ex.MU:g}, {ex.SIGMA:g}²).")
    phone = ui.on_phone()
    left, right = ui.beside((charts.HISTOGRAM_WIDTH_PHONE if phone else charts.HISTOGRAM_WIDTH) + charts.HISTOGRAM_AXES, key="transform")
    with right:
        m = ui.slider("Batch size m", 2, 256, 64, key="m", help="Samples in the mini-batch.")
        undo = ex.transform_view(SEED, m, 1.0, 0.0)

        def set_identity() -> None:
            st.session_state[ui.scoped("gamma")], st.session_state[ui.scoped("beta")] = undo.std, undo.mu

        gamma = ui.slider("γ (scale)", 0.0, 6.0, 1.0, key="gamma", step=0.01)
        beta = ui.slider("β (shift)", -6.0, 6.0, 0.0, key="beta", step=0.01)
        st.button("Set γ = σ_B, β = μ_B", on_click=set_identity, key="identity", icon=":material/undo:", help="The choice of γ and β that gives this batch back.")
        v = ex.transform_view(SEED, m, gamma, beta, phone)
        ui.markdown(ui.formula_text(r"\mu_B=\tfrac1m\sum_i x_i,\quad \sigma_B^2=\tfrac1m\sum_i (x_i-\mu_B)^2"),
                    ui.formula_text(r"\hat x_i=\frac{x_i-\mu_B}{\sqrt{\sigma_B^2+\epsilon}},\qquad y_i=\gamma\,\hat x_i+\beta", "ε = 10⁻⁵ keeps the division safe; σ_B² divides by m (the biased variance, as PyTorch normalizes)."),
                    ui.readout({"μ_B (this batch)": f"{v.mu:.4f}", "σ_B = √(var_B + ε)": f"{v.std:.4f}"}, {"max |y − x|": f"{v.gap:.2e}"}))
        if v.gap < 1e-9:
            st.success(f"γ = σ_B and β = μ_B: the output is **this batch's** input again. But γ and β are constants, and the next batch has its own μ_B and σ_B: with these same γ and β, another batch of this unit comes out changed by up to {v.other_gap:.3f} (max |y − x|).", icon=":material/check:")
    with left:
        chart(v.spec, "Four histograms of the same mini-batch: x as drawn, centred on μ_B; x − μ_B centred on 0; x̂ with mean 0 and std 1; y = γx̂ + β with mean β and std about |γ|.", width="content")  # its own width: a faceted chart does not follow its box
        ui.legend(f"The same {m} values at every step. Step 2 always has mean 0, step 3 mean 0 and std 1, whatever the batch; step 4 puts the mean at β = {beta:.2f} and the std at |γ| = {abs(gamma):.2f} (times √(σ_B²/(σ_B²+ε)), a hair under 1).")
    st.markdown("**What γ and β can and cannot undo.** Ioffe & Szegedy added γ and β so that the normalization can represent the identity (normalizing a sigmoid's input alone would confine it to the sigmoid's nearly linear middle): with γ equal to the unit's standard deviation and β to its mean over the whole training set, the output is the input again. With batch statistics that holds for one batch only, as the button shows. What γ and β give the network in general is the choice of each unit's mean (β) and spread (|γ|) after normalization: for a sigmoid, whether it works in its nearly linear middle or out in its curved, saturating range. What no choice of γ and β restores is a unit whose mean and spread follow the weights below it: after BN they follow γ and β, whatever those weights do.")
    ui.predict("predict_bn_undo", f"Keep γ = σ_B and β = μ_B of this batch (m = {m}). A second mini-batch of the same unit, from the same N({ex.MU:g}, {ex.SIGMA:g}²), goes through BN with these γ and β. Does it come out unchanged?",
               ["Yes, to rounding", "No, it is shifted and rescaled"], correct="Yes, to rounding" if ex.undo_gaps(SEED, m)[1] < 1e-9 else "No, it is shifted and rescaled",
               reveal=f"Measured: max |y − x| = {ex.undo_gaps(SEED, m)[0]:.1e} on the first batch and {ex.undo_gaps(SEED, m)[1]:.3f} on the second. The second batch is normalized with its own μ_B and σ_B, then given the first batch's: it comes out moved by the difference of the means and scaled by the ratio of the spreads.")
    ui.reproduce(ex.transform_rep(SEED, m), None, key="bn_transform")


def network_controls() -> ex.Network:
    """The sigmoid network of parts 2, 3 and Eval mode: one setting for all three."""
    st.markdown("A 3-hidden-layer sigmoid network (Ioffe & Szegedy's Figure 1 setup, scaled down from 100 units and 50 000 steps so it trains in seconds) on 10 classes in 20 dimensions, 3 overlapping clusters per class; plain SGD, batch size 32, Xavier init. Its width and steps are shared by the parts BN off vs on, Bad init and Eval mode.")
    c1, c2 = st.columns(2)
    with c1:
        width = ui.select_slider("Width (units per hidden layer)", [32, 64, 100], 32, key="width")
    with c2:
        steps = ui.select_slider("SGD steps", [100, 200, 400], 200, key="steps")
    return ex.Network(SEED, width, steps)


def off_on_part() -> None:
    net = network_controls()
    metric = ui.segmented("Show", ["loss", "accuracy"], key="metric", default="loss")
    with st.spinner("Training BN off and on at three learning rates…"):
        p = ex.off_on(net, metric)
    panels(p, lambda v: f"Training {metric} at {v}, BN off (orange, solid) vs on (blue, dashed).")
    st.markdown(ui.table(ex.finals_table(p), {"final loss, BN off": ".3f", "final loss, BN on": ".3f"}))
    st.markdown("**What one hidden unit sees during training**: the input u of a sigmoid in the last hidden layer, over 128 held-out samples (as Ioffe & Szegedy's Figure 1).")
    lr = ui.select_slider("Learning rate for this view", list(ex.LRS), 2.0, key="lr_fig1")
    chart(ex.percentiles(net, lr), "15th, 50th and 85th percentiles of one unit's input over training, BN off and on: without BN the distribution drifts as the layers below change; with BN it stays centred with a steady spread.")
    ui.legend("Bands: 15th to 85th percentile; lines: the median (orange, solid: BN off; blue, dashed: BN on).")
    st.markdown("Without BN the layers below keep moving the distribution this sigmoid sees: Ioffe & Szegedy called this **internal covariate shift** and designed BN to remove it. With BN it stays near mean β and spread γ. Whether removing it is *why* BN helps is the question of the part *Why it helps*.")
    ui.reproduce(ex.off_on_rep(net), p.frame, key="bn_off_on")


def bad_init_part() -> None:
    net = network_controls()
    lr = ui.select_slider("Learning rate", list(ex.LRS), 2.0, key="lr_init")
    with st.spinner("Training BN off and on from three initial scales…"):
        p = ex.bad_init(net, lr)
    left, right = st.columns([2, 3], gap="large")
    with left:
        ui.markdown(ui.formula_text(r"\mathrm{BN}\big((aW)u\big)=\mathrm{BN}(Wu)", "The batch mean and std of a·z are a·μ_B and a·σ_B: the factor a cancels."),
                    ui.formula_text(r"\frac{\partial L}{\partial (aW)}=\frac1a\,\frac{\partial L}{\partial W}", "Larger weights get proportionally smaller gradients."))
    with right:
        inv = ex.invariance(SEED)
        ui.markdown(ui.table(inv, {"a": "g", "|Δ|, ε = 0": ".1e", "|Δ|, ε = 10⁻⁵": ".1e", "grad ratio": ".3f", "1/a": ".3f"}),
                    ui.legend_text("Measured on one BN layer (64 samples, 10 inputs, 5 units): |Δ| is the largest entry of |BN((aW)u) − BN(Wu)|; the grad ratio is ‖∂L/∂(aW)‖ / ‖∂L/∂W‖, predicted 1/a. With ε = 0 the outputs agree to rounding; ε adds a small dependence on the scale, about ε/σ_B²."))
    st.markdown("**Training loss, hidden weights scaled from Xavier by ×0.1, ×1, ×10:**")
    panels(p, lambda v: f"Training loss from {v}: without BN the scale changes everything; with BN the forward pass is the same for every scale and only the effective step size differs.")
    st.markdown("With BN, scaling the hidden weights by a changes nothing in the forward pass, while the gradient shrinks by 1/a and the weights grow by a: each step moves them 1/a² as much, relative to their size. So a bad scale becomes a different effective learning rate (η/a²), never dead or saturated units. The output layer has no BN after it, so only hidden weights are scaled here.")
    d10 = float(inv["|Δ|, ε = 10⁻⁵"].iloc[-1])
    ui.predict("predict_bn_scale", "In the BN network, multiply every hidden weight by 10. Does the first forward pass change?", ["It changes a lot", "It stays the same (up to ε)"],
               correct="It stays the same (up to ε)" if d10 < 1e-3 else "It changes a lot",
               reveal=f"Measured on one BN layer: max |Δ| = {d10:.1e} with ε = 10⁻⁵. The batch mean and std scale with the weights, so the factor cancels; training does change: the gradients are 10× smaller while the weights are 10× larger (the BN-on curves above: same start, different speed).")
    ui.reproduce(ex.bad_init_rep(net, lr), p.frame, key="bn_bad_init")


def lr_part() -> None:
    with st.spinner(f"Training the network at {len(ex.LR_GRID)} rates from {ex.LR_SEEDS} seeds, BN off and on…"):
        v = ex.sweep_view(SEED)
    st.markdown(f"Page 1 showed the limit on a quadratic bowl: gradient descent multiplies the error along the steepest direction by 1 − ηλmax at every step, so above η = 2/λmax each step overshoots further than the last and the run diverges. A network's loss is no fixed bowl, but the same thing limits its learning rate. So measure it: the **same** network with and without BN, 6 hidden ReLU layers of 32 units, He init, plain SGD with batch size 32, {ex.LR_STEPS} steps, at {len(ex.LR_GRID)} learning rates from {ex.LR_GRID[0]:g} to {ex.LR_GRID[-1]:g} (each double the last), from {ex.LR_SEEDS} seeds (each seed: its own data, initial weights and mini-batches, the same with BN off and on). A run **trains** when its loss stays finite and ends (mean of the last 20 steps) below 95% of ln 10 = {ex.E.CHANCE_LOSS:.2f} nats (the loss is a cross-entropy taken with natural logarithms, so its unit is the nat), the loss of a uniform guess over 10 classes. (ReLU units, as in the deep networks Bjorck et al. studied.)")
    st.markdown(ui.readout({"largest stable η, BN off": f"{v.limit_off:g}", "largest stable η, BN on": f"{v.limit_on:g}", "ratio": f"{v.limit_on / v.limit_off:g}×" if v.limit_off > 0 else "–"},
                           note="Largest stable η: the largest rate of the grid at which every seed trains. Per seed, BN off: " + ", ".join(f"{x:g}" for x in v.off.largest_stable_per_seed()) + "; BN on: " + ", ".join(f"{x:g}" for x in v.on.largest_stable_per_seed()) + "."))
    chart(v.spec, "Final training loss against learning rate, BN off and on, three seeds each: without BN the loss blows up a few rates earlier than with BN.")
    ui.legend("One point per seed (circle: trains; square: finite but no better than chance; cross: diverged, drawn at the top); lines: the median over seeds. Dashed grey: ln 10, a uniform guess. Log axes; loss in nats.")
    rate = ui.select_slider("Learning rate for the curves", list(ex.LR_GRID), v.curve_rate, key="lr_curves", format_func=lambda x: f"{x:g}")
    runs, loss_spec, change_spec = ex.change_view(SEED, rate)
    off = runs[False]
    a, b = st.columns(2)
    with a:
        chart(loss_spec, "Training loss of seed 1 at the chosen rate, BN off and on.")
    with b:
        chart(change_spec, "How much the gradient changes over each step, per unit moved, BN off and on, against the line 2/η.")
    ui.legend(f"Seed 1 of the sweep at η = {rate:g}. Left: loss. Right: ‖Δ gradient‖/‖Δ w‖ over each step; dashed grey: 2/η = {2 / rate:g}. Orange, solid: BN off; blue, dashed: BN on. Log axes (a diverging run leaves through the top); curves smoothed over 5 steps.")
    i, over = list(ex.LR_GRID).index(rate), ex.overshoot(off, rate)
    with st.container():
        if off.diverged_step is not None and over is not None:
            ui.diverged_notice(off.diverged_step, f"At step {over[0]} the gradient changed by {off.change[over[0]]:.3g} per unit moved, {over[1]:.2g}× the 2/η = {2 / rate:g} a step can take along its direction (page 1's limit): the step overshoots, the next gradient is larger still, and within a few steps the loss overflows. Bjorck et al. (2018) traced this in deep networks without BN to activations that grow layer by layer after large steps.", what="BN off")
        elif not v.off.trains[i, 0]:
            st.info(f"BN off stays finite at η = {rate:g} but ends at {v.off.final_loss[i, 0]:.2f} nats, no better than chance (ln 10 = {ex.E.CHANCE_LOSS:.2f}).", icon=":material/trending_flat:")
    outcome = {(True, True): "Both", (False, True): "Only BN on", (True, False): "Only BN off", (False, False): "Neither"}
    ui.predict("predict_bn_lr", f"At η = {rate:g}, which of the two networks trains (seed 1)?", list(outcome.values()), correct=outcome[(bool(v.off.trains[i, 0]), bool(v.on.trains[i, 0]))],
               reveal=f"Measured final loss: BN off {'diverged' if v.off.diverged_step[i, 0] >= 0 else f'{v.off.final_loss[i, 0]:.2f}'}, BN on {'diverged' if v.on.diverged_step[i, 0] >= 0 else f'{v.on.final_loss[i, 0]:.2f}'} nats." + (" With BN a growing weight only shrinks its own effective step (part Bad init), so the loss does not run away." if v.on.diverged_step[i, 0] < 0 else ""))
    ui.reproduce(ex.sweep_rep(SEED), None, key="bn_lr")


def why_part() -> None:
    with st.spinner("Training the network with and without BN…"):
        v = ex.sweep_view(SEED)
    runs, _, change_spec = ex.change_view(SEED, ex.SMOOTH_LR)
    off, on = runs[False], runs[True]
    st.markdown("**1 · The motivation (Ioffe & Szegedy 2015).** Each layer's input distribution changes during training as the layers below change, which they called internal covariate shift; they argued it forces lower learning rates and careful initialization, and designed BN to hold each unit's mean and spread fixed (the percentile bands in the part *BN off vs on*).")
    st.markdown(f"**2 · What was measured later: a smoother loss (Santurkar, Tsipras, Ilyas & Madry 2018).** They found that this stability has little to do with BN's success (a BN network trained as well with noise injected after each BN layer that shifted its units' distributions on purpose), and that BN makes the loss and its gradient change less along the training path. The page measures one such quantity: over each SGD step, how much the gradient of the same mini-batch changes, per unit of distance moved, ‖Δ gradient‖/‖Δ w‖. For page 1's bowl this is the curvature along the step, between λmin and λmax. The same ReLU network as in *Learning rate*, seed 1, at η = {ex.SMOOTH_LR:g}, a rate both networks train at:")
    chart(change_spec, "The gradient's change over each step, BN off and on: without BN it is larger and jumps higher.")
    ui.legend(f"Orange, solid: BN off; blue, dashed: BN on; dashed grey: 2/η = {2 / ex.SMOOTH_LR:g}, where a step would overshoot along its direction. Smoothed over 5 steps.")
    st.markdown(ui.readout({"BN off: median": f"{off.median_change():.2f}", "BN off: largest": f"{ex.largest_change(off):.2f}"}, {"BN on: median": f"{on.median_change():.2f}", "BN on: largest": f"{ex.largest_change(on):.2f}"}))
    ui.predict("predict_bn_smooth", f"At η = {ex.SMOOTH_LR:g}, whose gradient changes more over a step, at its worst step?", ["BN off", "BN on", "About the same"],
               correct="BN off" if ex.largest_change(off) > 1.2 * ex.largest_change(on) else "BN on" if ex.largest_change(on) > 1.2 * ex.largest_change(off) else "About the same",
               reveal=f"Largest change over a step: {ex.largest_change(off):.2f} without BN, {ex.largest_change(on):.2f} with (medians {off.median_change():.2f} and {on.median_change():.2f}). A step is safe along its direction while η × change < 2: without BN the worst steps come closer to that limit.")
    st.markdown(f"**3 · Larger learning rates (Bjorck, Gomes, Selman & Weinberger 2018).** They found that BN's main effect is that it lets a network train at much larger learning rates, and that this is what makes it train faster; without BN, large steps made the loss diverge. Measured in *Learning rate*: the largest stable η is {v.limit_off:g} without BN and {v.limit_on:g} with it, {v.limit_on / v.limit_off:g}× larger.")
    st.markdown("**4 · Why larger rates survive: scale invariance** (the part *Bad init*). BN's output does not change when the weights W before it are scaled by a, and their gradient shrinks by 1/a. Since the loss does not change along W itself, its gradient g is perpendicular to W, so every step lengthens the weights: ‖W − ηg‖² = ‖W‖² + η²‖g‖² (up to ε). A larger step lengthens them more, and longer weights take smaller steps relative to their size: the effective rate η/a², with a the weights' growth, comes down by itself instead of running away. " + ex.self_tuning_text(SEED))
    ui.reproduce(ex.smooth_rep(SEED), None, key="bn_why")


def noise_part() -> None:
    spread, spec, one, two = ex.noise(SEED)
    i = ex.NOISE_SIZES.index(32)
    left, right = st.columns([3, 2], gap="large")
    with left:
        chart(spec, "Spread of the batch mean and batch std across 2000 mini-batches, against batch size on log axes: both fall like 1/√m, on the predicted dashed lines.")
        ui.legend(f"2000 mini-batches of each size from N({ex.MU:g}, {ex.SIGMA:g}²). Points: measured standard deviation across batches; dashed: theory. m = 1 is off the log axis for σ_B (it is always 0).")
    with right:
        ui.markdown(ui.formula_text(r"\operatorname{sd}(\mu_B)=\frac{\sigma}{\sqrt m},\qquad \operatorname{sd}(\sigma_B)\approx\frac{\sigma}{\sqrt{2m}}", "For normal data; the σ_B line uses the exact form (under The math)."),
                    ui.readout({"sd(μ_B), m = 32": f"{spread.mu_sd[i]:.4f}", "predicted σ/√32": f"{spread.mu_sd_theory[i]:.4f}"}, note="Measured across 2000 mini-batches."),
                    "Every sample is normalized with statistics that wobble from batch to batch: a little noise for large batches, a lot for small ones.")
    with st.expander("The math"):
        st.markdown("For m normal samples, the batch std (÷m) has mean $\\sqrt{(m-1)/m}\\,c_4(m)\\,\\sigma$, where $c_4(m)=\\sqrt{2/(m-1)}\\cdot\\Gamma(m/2)\\div\\Gamma((m-1)/2)$ is the factor by which the usual sample standard deviation (÷(m−1)) falls short of σ on average. Its spread is $\\operatorname{sd}(\\sigma_B)=\\sigma\\sqrt{(m-1)/m}\\,\\sqrt{1-c_4(m)^2}$, close to $\\sigma/\\sqrt{2m}$ for large m.")
    st.markdown("**Batch size 1 and 2.** Four mini-batches each, x̂ of every sample:")
    a, b = st.columns(2)
    a.markdown(ui.table(one, {"x̂ (m = 1)": "g"}) + "\n\n" + ui.legend_text("m = 1: x − μ_B = 0, so x̂ = 0 whatever x was. The unit passes on nothing but β. (PyTorch refuses to train BN with one sample per batch for this reason.)"))
    b.markdown(ui.table(two, dict.fromkeys(["x̂ sample 1", "x̂ sample 2"], ".5f")) + "\n\n" + ui.legend_text("m = 2: the two samples sit at ±d/2 from their mean, and σ_B = d/2, so x̂ = ±1 (just under, because of ε). Only which of the two is larger survives."))
    ui.reproduce(ex.noise_rep(SEED), None, key="bn_noise")


def eval_part() -> None:
    st.markdown("At test time there may be a single sample, so BN cannot use batch statistics. During training it keeps running averages of μ_B and σ_B², and at test time normalizes with those.")
    names = {k: v["label"] for k, v in ex.E.CONVENTIONS.items()}
    c1, c2 = st.columns(2)
    with c1:
        convention = ui.segmented("Convention", list(names), key="conv", default="pytorch", help="; ".join(f"{k}: {v}" for k, v in names.items()))
        ui.legend(names[convention])
    with c2:
        m = ui.select_slider("Batch size m", [2, 4, 8, 16, 32, 64], 4, key="m_run")
    stats, spec = ex.running(SEED, convention, m)
    c = ex.E.CONVENTIONS[convention]
    left, right = st.columns([3, 2], gap="large")
    with left:
        chart(spec, "Running variance over 600 steps: it forgets its start value 1 and settles near the predicted level.")
        ui.legend(f"Blue line: the running variance, settling near {stats.target_var:.3g} (true variance {stats.true_var:.3g}). Grey dots: each mini-batch's own (biased) variance, what training normalizes with. Values above the plot are clipped.")
    with right:
        ui.markdown(ui.formula_text(r"\hat\mu \leftarrow (1-w)\,\hat\mu + w\,\mu_B"),
                    ui.formula_text(r"\hat\sigma^2 \leftarrow (1-w)\,\hat\sigma^2 + w\,s_B^2", f"Here w = {c['weight_new']:g} and s_B² divides by {'m − 1 (unbiased)' if c['unbiased'] else 'm (biased)'}; training itself always normalizes with the biased σ_B² (÷m)."),
                    ui.readout({"running var, late": f"{stats.settled_var():.3f}", "predicted": f"{stats.target_var:.3f}"}, note="Late: the mean over the last 300 steps. Predicted: σ² with the unbiased batch variance, σ²(m − 1)/m with the biased one."),
                    ui.legend_text("PyTorch's momentum is the weight of the new batch (0.1). Keras's momentum is the weight of the old value (0.99), so it averages over ~100 batches, not ~10. With a biased running variance and a small batch, the estimate settles at (m − 1)/m of the true variance, 1/m too low."),
                    ui.formula_text(r"y_{\text{eval}}=\frac{\gamma}{\sqrt{\hat\sigma^2+\epsilon}}\,x+\Big(\beta-\frac{\gamma\,\hat\mu}{\sqrt{\hat\sigma^2+\epsilon}}\Big)", "Ioffe & Szegedy's Algorithm 2: at test time BN is a fixed affine map, y = a·x + b with constants a and b (a scale and a shift) per unit."))
    st.markdown("**The gap between the two modes in the sigmoid network** (BN on; held-out loss: the cross-entropy with natural logarithms, in nats).")
    net = network_controls()
    lr = ui.select_slider("Learning rate", list(ex.LRS), 2.0, key="lr_gap")
    with st.spinner("Training the BN network…"):
        runs, specs, lines = ex.eval_gap(net, lr, convention == "keras")
    for col, label, spec in zip(st.columns(2), runs, specs, strict=False):
        with col:
            st.markdown(f"**{label}**")
            chart(spec, f"{label}: held-out loss in train mode (batch statistics) and eval mode (running statistics); they differ most early in training.")
    st.markdown("; ".join(lines) + ". Eval mode uses averages of batch statistics from a network that has since changed, so it lags most while the weights move fast. The engine's running variance is PyTorch's unbiased one; the Keras run differs only in averaging speed." + ("" if convention == "keras" else " Pick the Keras convention above to add a slow average."))
    ui.reproduce(ex.running_rep(SEED, convention, m), None, key="bn_eval")


ui.parts(by_url_path("batchnorm").parts, transform_part, off_on_part, bad_init_part, lr_part, why_part, noise_part, eval_part)

st.divider()
v = ex.sweep_view(0)  # the default seed's, computed at warm-up: a new seed recomputes it only where it is shown
ui.answer(f"BatchNorm standardizes each hidden unit over the mini-batch, then sets its mean and spread to the learned β and γ. γ = σ_B, β = μ_B gives one batch back exactly but not the next, so what γ and β give is a choice of mean and spread that no longer depends on the weights below. It was designed to remove internal covariate shift; what the page measures is that it lets the same network train at larger learning rates (in the Learning rate part's 6-layer ReLU network with seed 0, the largest η of the grid at which all three runs train is {v.limit_on:g} with BN and {v.limit_off:g} without) with a gradient that changes less over a step, and the parts Bad init and Why it helps show why: BN ignores the scale of the weights before it, so a step too large lengthens those weights and lowers the effective learning rate instead of running away. At test time BN uses running averages of the batch statistics, a fixed scale and shift per unit, which agrees with train mode once those averages have caught up.")
ui.references(
    "S. Ioffe, C. Szegedy (2015), [Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift](https://arxiv.org/abs/1502.03167), ICML: the transform, γ and β, Algorithm 2 (test time), Figure 1.",
    "S. Santurkar, D. Tsipras, A. Ilyas, A. Madry (2018), [How Does Batch Normalization Help Optimization?](https://arxiv.org/abs/1805.11604), NeurIPS: the stability of layer inputs has little to do with BN's success; BN makes the loss and its gradient smoother.",
    "J. Bjorck, C. Gomes, B. Selman, K. Q. Weinberger (2018), [Understanding Batch Normalization](https://arxiv.org/abs/1806.02375), NeurIPS: BN mainly enables larger learning rates; without it large steps diverge.",
    "PyTorch documentation, [BatchNorm1d](https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html): momentum 0.1, biased variance to normalize, unbiased in the running estimate.",
)
