"""`RootModel` for the types modules: pydantic's, building its validator on first use like `StrictModel`.

`class Request(RootModel[A | B])` makes the class `RootModel[A | B]` first; with pydantic's own
`RootModel` that class builds its validator there and then, when the types module is imported
(generating A's and B's schemas, or failing on a class defined further down and leaving it for
later). Here it waits for the first validation. Only the types modules with a root class load this.
"""

from __future__ import annotations

from pydantic import ConfigDict
from pydantic import RootModel as PydanticRootModel
from pydantic.root_model import RootModelRootType


class RootModel(PydanticRootModel[RootModelRootType]):
    """pydantic's `RootModel`, its validator built when first used rather than when subclassed.

    Parametrized by pydantic's own type variable, so no intermediate class is made (or built) here.
    """

    # NaN and infinities reach the request's JSON encoder, which refuses them, as StrictModel's do.
    model_config = ConfigDict(defer_build=True, ser_json_inf_nan="constants")
