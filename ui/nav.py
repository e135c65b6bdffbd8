"""The one list of pages: app.py builds the navigation from it, the home page links to it, tests walk it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True)
class Prediction:
    """A committed "predict, then look" question (ui.predict): its widget ``key`` (starts with "predict_"),
    the ``part`` it sits in ("" for the page's first part) and a few words for the home page's list."""

    key: str
    part: str
    short: str


@dataclass(frozen=True)
class PageInfo:
    """A page: its file in pages/ and a ``url_path`` equal to the file's stem (see ui/shell.py), the ``scope``
    that prefixes its URL parameters (ui/url.py), its parts (tabs, in reading order) and its questions."""

    file: str
    title: str
    icon: str
    url_path: str
    scope: str
    summary: str
    parts: tuple[str, ...] = ()
    predictions: tuple[Prediction, ...] = ()

    @property
    def part_key(self) -> str:
        """The URL parameter of the page's open part."""
        return f"{self.scope}.part"

    def queries(self) -> list[dict[str, str]]:
        """The URL query of every view: ``{}`` for the page's own link (its first part), then one per further
        part."""
        return [{}] + [{self.part_key: label} for label in self.parts[1:]]

    def view_names(self) -> tuple[str, ...]:
        """Every view's name: its parts, or the page's title for a page of one view."""
        return self.parts or (self.title,)

    def views(self) -> list[str]:
        """Every view as a url path with its query."""
        return [self.url_path + (f"?{urlencode(q)}" if q else "") for q in self.queries()]


HOME = PageInfo("pages/home.py", "Start here", ":material/school:", "home", "home",
                "What the app is for, the learning path, and your progress.")

CONCEPTS = (
    PageInfo("pages/loss_surface.py", "1 · Loss surface", ":material/landscape:", "loss_surface", "surface",
             "Why gradient descent zigzags, and the learning-rate limit 2/λmax.",
             predictions=(Prediction("predict_surface_axis", "", "does a start on the shallow axis zigzag?"),
                          Prediction("predict_surface_limit", "", "what happens just above 2/λmax?"))),
    PageInfo("pages/standardization.py", "2 · Input standardization", ":material/straighten:", "standardization",
             "scaling", "Why normalize inputs, and why it allows a larger learning rate.",
             ("The data", "Four scalings", "Why center", "Learning rate", "Deep network", "More features",
              "Train/test split", "Your CSV"),
             (Prediction("predict_centering", "Four scalings", "does centering alone speed GD up?"),
              Prediction("predict_units", "Four scalings", "a 1,000× larger feature: how much smaller η?"),
              Prediction("predict_signs", "Why center", "all-positive inputs: how often do both weights move alike?"),
              Prediction("predict_saturation", "Deep network", "how many first-layer units do raw inputs saturate?"))),
    PageInfo("pages/symmetry.py", "3 · Symmetry breaking", ":material/call_split:", "symmetry", "sym",
             "Why zero init fails, and why tiny random weights condense onto one direction.",
             ("Experiment", "Sweeps", "Penalty", "All-zero case", "ε-lab"),
             predictions=(Prediction("predict_sym_condense", "", "where do units from σ = 0.01 point?"),
                          Prediction("predict_sym_copies", "Penalty", "can the penalty split exact copies?"))),
    PageInfo("pages/init_variance.py", "4 · Initialization variance", ":material/stacked_line_chart:",
             "init_variance", "init", "Why Var(W) = 1/n (2/n for ReLU), measured layer by layer.",
             ("One neuron", "Many layers", "Inside the layers", "Unequal widths", "Residual networks",
              "Goldilocks map", "Training"),
             predictions=(Prediction("predict_init_pixel", "", "what Var(z) do raw pixel inputs give?"),
                          Prediction("predict_init_width", "Many layers", "does a wider net stop the vanishing?"),
                          Prediction("predict_init_residual", "Residual networks",
                                     "how fast do plain skips grow the variance?"))),
    PageInfo("pages/batchnorm.py", "5 · BatchNorm", ":material/tune:", "batchnorm", "bn",
             "Standardizing the hidden layers, what γ, β and running statistics do, and why it helps.",
             ("Transform", "BN off vs on", "Bad init", "Learning rate", "Why it helps", "Batch noise", "Eval mode"),
             predictions=(Prediction("predict_bn_undo", "", "does γ = σ_B, β = μ_B undo another batch?"),
                          Prediction("predict_bn_scale", "Bad init", "does ×10 on the weights change BN's output?"),
                          Prediction("predict_bn_lr", "Learning rate", "which network trains at a large rate?"),
                          Prediction("predict_bn_smooth", "Why it helps",
                                     "whose gradient changes more over a step?"))),
)
PAGES = (HOME, *CONCEPTS)

# The learners' questions (PRODUCT.md) and where they are answered, in the order of the path: a page's url_path,
# or "url_path#<part label>" for one of its parts (the home page links straight to that part).
QUESTIONS = (
    ("Why does gradient descent zigzag, and why are steps perpendicular to the contours?", ("loss_surface",)),
    ("Why normalize inputs? Why does it allow a larger learning rate? What changes in many dimensions, and in a "
     "deep network?",
     ("loss_surface", "standardization#Four scalings", "standardization#Deep network")),
    ("Why not initialize all weights to zero? If small random weights are all nearly equal, why don't units "
     "stay symmetric? Would a penalty that pushes weights apart help?",
     ("symmetry", "symmetry#All-zero case", "symmetry#ε-lab")),
    ("Why Var(W) = 1/n (or 2/n for ReLU)? If each wᵢxᵢ is a product of two small numbers, why doesn't z "
     "vanish? Signs cancel, so why care about the size of each term?",
     ("init_variance", "init_variance#Many layers")),
    ("Is it z ≈ 1, or the spread of z ≈ 1? Where do vanishing and exploding gradients come from, and why "
     "does the activation's slope at z matter?",
     ("init_variance#Many layers", "init_variance#Inside the layers")),
    ("What does BatchNorm actually do, and why does it help? Why the learnable γ and β, and why does it behave "
     "differently at test time?",
     ("batchnorm", "batchnorm#Learning rate", "batchnorm#Why it helps", "batchnorm#Eval mode")),
)


def by_url_path(url_path: str) -> PageInfo:
    return next(p for p in PAGES if p.url_path == url_path)


def link(where: str) -> tuple[PageInfo, str]:
    """A QUESTIONS entry ("url_path" or "url_path#part") as (page, part label or "")."""
    path, _, part = where.partition("#")
    return by_url_path(path), part
