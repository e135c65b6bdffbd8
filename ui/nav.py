"""The one list of pages: app.py builds the navigation from it, the home page links to it, tests walk it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

PART_KEY = "part"  # the URL parameter of a page's open part (ui.parts)


@dataclass(frozen=True)
class PageInfo:
    """A page: its file in pages/, and a ``url_path`` equal to the file's stem.

    The url_path must equal the stem: until some session has run app.py, Streamlit serves a deep link in
    its legacy ``pages/`` mode, and ``ui.shell.require_shell`` can then hand the run over to app.py only
    because both modes give the page the same identity (a hash of the url_path).
    """

    file: str
    title: str
    icon: str
    url_path: str
    summary: str
    parts: tuple[str, ...] = ()  # the page's tabs (ui.parts), in reading order; their labels go in ?part=

    def queries(self) -> list[dict[str, str]]:
        """The URL query of every view: ``{}`` for the page's own link (its first part), then
        ``{"part": label}`` for each further part."""
        return [{}] + [{PART_KEY: label} for label in self.parts[1:]]

    def views(self) -> list[str]:
        """Every view as a url path with its query (``url_path?part=...``)."""
        return [self.url_path + (f"?{urlencode(q)}" if q else "") for q in self.queries()]


HOME = PageInfo("pages/home.py", "Start here", ":material/school:", "home",
                "What the app is for and the learning path.")

CONCEPTS = (
    PageInfo("pages/standardization.py", "1 · Input standardization", ":material/straighten:",
             "standardization", "Why normalize inputs, and why it allows a larger learning rate.",
             ("The data", "Four scalings", "Learning rate", "More features", "Train/test split", "Still not normal",
              "Your CSV")),
    PageInfo("pages/loss_surface.py", "2 · Loss surface", ":material/landscape:", "loss_surface",
             "Why gradient descent zigzags, and the learning-rate limit 2/λmax."),
    PageInfo("pages/symmetry.py", "3 · Symmetry breaking", ":material/call_split:", "symmetry",
             "Why zero init fails, and why tiny random weights are enough.",
             ("Experiment", "All-zero case", "ε-lab")),
    PageInfo("pages/init_variance.py", "4 · Initialization variance", ":material/stacked_line_chart:",
             "init_variance", "Why Var(W) = 1/n (2/n for ReLU), measured layer by layer.",
             ("One neuron", "Many layers", "Inside the layers", "Goldilocks map", "Training")),
    PageInfo("pages/batchnorm.py", "5 · BatchNorm", ":material/tune:", "batchnorm",
             "Standardizing the hidden layers, and what γ, β and running statistics do.",
             ("Transform", "BN off vs on", "Bad init", "Batch noise", "Eval mode")),
)

# The learners' questions (PRODUCT.md) and where they are answered, in the order they are asked: a page's
# url_path, or "url_path?part=<label>" for one of its parts (the home page links straight to that part).
QUESTIONS = (
    ("Why normalize inputs? Why does it allow a larger learning rate? What changes in many dimensions?",
     ("standardization?part=Four scalings", "standardization?part=More features", "loss_surface")),
    ("Why does gradient descent zigzag, and why are steps perpendicular to the contours?", ("loss_surface",)),
    ("Why not initialize all weights to zero? If small random weights are all nearly equal, why don't units "
     "stay symmetric? Would a penalty that pushes weights apart help?",
     ("symmetry", "symmetry?part=All-zero case", "symmetry?part=ε-lab")),
    ("Why Var(W) = 1/n (or 2/n for ReLU)? If each wᵢxᵢ is a product of two small numbers, why doesn't z "
     "vanish? Signs cancel, so why care about the size of each term?",
     ("init_variance", "init_variance?part=Many layers")),
    ("Is it z ≈ 1, or the spread of z ≈ 1? Where do vanishing and exploding gradients come from, and why "
     "does the activation's slope at z matter?",
     ("init_variance?part=Many layers", "init_variance?part=Inside the layers")),
    ("What does BatchNorm do, why the learnable γ and β, and why does it behave differently at test time?",
     ("batchnorm", "batchnorm?part=Eval mode")),
)

def by_url_path(url_path: str) -> PageInfo:
    return next(p for p in CONCEPTS if p.url_path == url_path)
