/**
 * The MJCF models of the multi-agent MuJoCo tasks: hopper (hopper-3x1), half cheetah
 * (halfcheetah-6x1) and ant (ant-2x4).
 *
 * The physical numbers are those of gym's v2 MuJoCo assets, from the public repository
 * `openai/gym`: `gym/envs/mujoco/assets/hopper.xml`, `gym/envs/mujoco/assets/half_cheetah.xml`
 * and `gym/envs/mujoco/assets/ant.xml` (geometry, densities, joint axes, ranges, damping,
 * stiffness and armature, actuator gears and control ranges, timestep, integrator, contact
 * settings). The documents are written here in our own layout, in local coordinates (gym's hopper
 * is written in global coordinates, which MuJoCo 3 no longer reads), without the purely visual
 * elements (textures, materials, lights, cameras, colours). Each one compiles under MuJoCo 3
 * (`mujoco-js`) to the same model as the original: `docs/mujoco.md` ("Models") lists the
 * parameters, what was changed and how the equality was checked.
 *
 * @module
 */

/**
 * Hopper: a planar one-legged robot (torso, thigh, leg, foot), three hinge motors. qpos is
 * `[rootx, rootz, rooty, thigh, leg, foot]`; rootz's reference is 1.25, so qpos0 has the torso
 * at height 1.25. gym steps it 4 times per environment step (dt 0.008).
 */
export const HOPPER_MJCF = `<mujoco model="hopper">
  <compiler angle="degree" inertiafromgeom="true" autolimits="true"/>
  <size memory="1M"/>
  <option timestep="0.002" integrator="RK4"/>

  <default>
    <joint armature="1" damping="1"/>
    <geom type="capsule" contype="1" conaffinity="1" condim="1" margin="0.001"
          solref="0.02 1" solimp="0.8 0.8 0.01"/>
    <motor gear="200" ctrlrange="-1 1"/>
    <!-- the three planar degrees of freedom of the torso: no armature, damping or spring -->
    <default class="root">
      <joint armature="0" damping="0" stiffness="0"/>
    </default>
  </default>

  <worldbody>
    <geom name="floor" type="plane" size="20 20 0.125" condim="3"/>

    <!-- body frames sit where gym's global-coordinate file puts them; everything below is
         relative to the enclosing body -->
    <body name="torso" pos="0 0 1.25">
      <!-- gym anchors the two slides at the world origin, 1.25 below the torso frame (a slide's
           anchor does not enter the dynamics; it is kept so the compiled model is the same) -->
      <joint name="rootx" class="root" type="slide" pos="0 0 -1.25" axis="1 0 0"/>
      <joint name="rootz" class="root" type="slide" pos="0 0 -1.25" axis="0 0 1" ref="1.25"/>
      <joint name="rooty" class="root" type="hinge" axis="0 1 0"/>
      <geom name="torso_geom" fromto="0 0 0.2 0 0 -0.2" size="0.05" friction="0.9"/>

      <body name="thigh" pos="0 0 -0.2">
        <joint name="thigh_joint" type="hinge" axis="0 -1 0" range="-150 0"/>
        <geom name="thigh_geom" fromto="0 0 0 0 0 -0.45" size="0.05" friction="0.9"/>

        <body name="leg" pos="0 0 -0.7">
          <joint name="leg_joint" type="hinge" pos="0 0 0.25" axis="0 -1 0" range="-150 0"/>
          <geom name="leg_geom" fromto="0 0 0.25 0 0 -0.25" size="0.04" friction="0.9"/>

          <body name="foot" pos="0.13 0 -0.35">
            <joint name="foot_joint" type="hinge" pos="-0.13 0 0.1" axis="0 -1 0"
                   range="-45 45"/>
            <geom name="foot_geom" fromto="-0.26 0 0.1 0.13 0 0.1" size="0.06" friction="2"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>

  <actuator>
    <motor joint="thigh_joint"/>
    <motor joint="leg_joint"/>
    <motor joint="foot_joint"/>
  </actuator>
</mujoco>
`;

/**
 * Half cheetah: a planar runner (torso with head, back and front legs of three links each), six
 * hinge motors named after their joints: bthigh, bshin, bfoot, fthigh, fshin, ffoot. The total
 * mass is scaled to 14. gym steps it 5 times per environment step (dt 0.05).
 */
export const HALF_CHEETAH_MJCF = `<mujoco model="half_cheetah">
  <compiler angle="radian" inertiafromgeom="true" settotalmass="14" autolimits="true"/>
  <size memory="1M"/>
  <option timestep="0.01" gravity="0 0 -9.81"/>

  <default>
    <joint armature="0.1" damping="0.01" stiffness="8"
           solreflimit="0.02 1" solimplimit="0 0.8 0.03"/>
    <geom type="capsule" contype="1" conaffinity="0" condim="3" friction="0.4 0.1 0.1"
          solref="0.02 1" solimp="0 0.8 0.01"/>
    <motor ctrlrange="-1 1"/>
    <!-- the three planar degrees of freedom of the torso: no armature, damping or spring -->
    <default class="root">
      <joint armature="0" damping="0" stiffness="0"/>
    </default>
    <!-- every leg joint turns about y -->
    <default class="leg">
      <joint type="hinge" axis="0 1 0"/>
    </default>
  </default>

  <worldbody>
    <geom name="floor" type="plane" size="40 40 40" conaffinity="1"/>

    <body name="torso" pos="0 0 0.7">
      <joint name="rootx" class="root" type="slide" axis="1 0 0"/>
      <joint name="rootz" class="root" type="slide" axis="0 0 1"/>
      <joint name="rooty" class="root" type="hinge" axis="0 1 0"/>
      <geom name="torso" fromto="-0.5 0 0 0.5 0 0" size="0.046"/>
      <geom name="head" pos="0.6 0 0.1" axisangle="0 1 0 0.87" size="0.046 0.15"/>

      <!-- back leg -->
      <body name="bthigh" pos="-0.5 0 0">
        <joint name="bthigh" class="leg" range="-0.52 1.05" stiffness="240" damping="6"/>
        <geom name="bthigh" pos="0.1 0 -0.13" axisangle="0 1 0 -3.8" size="0.046 0.145"/>
        <body name="bshin" pos="0.16 0 -0.25">
          <joint name="bshin" class="leg" range="-0.785 0.785" stiffness="180" damping="4.5"/>
          <geom name="bshin" pos="-0.14 0 -0.07" axisangle="0 1 0 -2.03" size="0.046 0.15"/>
          <body name="bfoot" pos="-0.28 0 -0.14">
            <joint name="bfoot" class="leg" range="-0.4 0.785" stiffness="120" damping="3"/>
            <geom name="bfoot" pos="0.03 0 -0.097" axisangle="0 1 0 -0.27" size="0.046 0.094"/>
          </body>
        </body>
      </body>

      <!-- front leg -->
      <body name="fthigh" pos="0.5 0 0">
        <joint name="fthigh" class="leg" range="-1 0.7" stiffness="180" damping="4.5"/>
        <geom name="fthigh" pos="-0.07 0 -0.12" axisangle="0 1 0 0.52" size="0.046 0.133"/>
        <body name="fshin" pos="-0.14 0 -0.24">
          <joint name="fshin" class="leg" range="-1.2 0.87" stiffness="120" damping="3"/>
          <geom name="fshin" pos="0.065 0 -0.09" axisangle="0 1 0 -0.6" size="0.046 0.106"/>
          <body name="ffoot" pos="0.13 0 -0.18">
            <joint name="ffoot" class="leg" range="-0.5 0.5" stiffness="60" damping="1.5"/>
            <geom name="ffoot" pos="0.045 0 -0.07" axisangle="0 1 0 -0.6" size="0.046 0.07"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>

  <actuator>
    <motor name="bthigh" joint="bthigh" gear="120"/>
    <motor name="bshin" joint="bshin" gear="90"/>
    <motor name="bfoot" joint="bfoot" gear="60"/>
    <motor name="fthigh" joint="fthigh" gear="120"/>
    <motor name="fshin" joint="fshin" gear="60"/>
    <motor name="ffoot" joint="ffoot" gear="30"/>
  </actuator>
</mujoco>
`;

/**
 * Ant: a spherical torso on a free joint with four two-link legs (a hip about z, an ankle about a
 * horizontal axis), eight motors in gym's order: hip_4, ankle_4, hip_1, ankle_1, hip_2, ankle_2,
 * hip_3, ankle_3. qpos0 has the torso at height 0.75. gym steps it 5 times per environment step
 * (dt 0.05).
 */
export const ANT_MJCF = `<mujoco model="ant">
  <compiler angle="degree" inertiafromgeom="true" autolimits="true"/>
  <size memory="1M"/>
  <option timestep="0.01" integrator="RK4"/>

  <default>
    <joint type="hinge" armature="1" damping="1"/>
    <geom type="capsule" size="0.08" conaffinity="0" condim="3" density="5" friction="1 0.5 0.5"
          margin="0.01"/>
    <motor gear="150" ctrlrange="-1 1"/>
    <default class="root">
      <joint type="free" armature="0" damping="0" margin="0.01"/>
    </default>
  </default>

  <worldbody>
    <geom name="floor" type="plane" size="40 40 40" conaffinity="1"/>

    <body name="torso" pos="0 0 0.75">
      <joint name="root" class="root"/>
      <geom name="torso_geom" type="sphere" size="0.25"/>

      <!-- each leg: a fixed stub from the torso centre, then the hip link and the ankle link;
           the three segments point the same way, the ankle one twice as long -->
      <body name="front_left_leg">
        <geom name="aux_1_geom" fromto="0 0 0 0.2 0.2 0"/>
        <body name="aux_1" pos="0.2 0.2 0">
          <joint name="hip_1" axis="0 0 1" range="-30 30"/>
          <geom name="left_leg_geom" fromto="0 0 0 0.2 0.2 0"/>
          <body pos="0.2 0.2 0">
            <joint name="ankle_1" axis="-1 1 0" range="30 70"/>
            <geom name="left_ankle_geom" fromto="0 0 0 0.4 0.4 0"/>
          </body>
        </body>
      </body>

      <body name="front_right_leg">
        <geom name="aux_2_geom" fromto="0 0 0 -0.2 0.2 0"/>
        <body name="aux_2" pos="-0.2 0.2 0">
          <joint name="hip_2" axis="0 0 1" range="-30 30"/>
          <geom name="right_leg_geom" fromto="0 0 0 -0.2 0.2 0"/>
          <body pos="-0.2 0.2 0">
            <joint name="ankle_2" axis="1 1 0" range="-70 -30"/>
            <geom name="right_ankle_geom" fromto="0 0 0 -0.4 0.4 0"/>
          </body>
        </body>
      </body>

      <body name="back_leg">
        <geom name="aux_3_geom" fromto="0 0 0 -0.2 -0.2 0"/>
        <body name="aux_3" pos="-0.2 -0.2 0">
          <joint name="hip_3" axis="0 0 1" range="-30 30"/>
          <geom name="back_leg_geom" fromto="0 0 0 -0.2 -0.2 0"/>
          <body pos="-0.2 -0.2 0">
            <joint name="ankle_3" axis="-1 1 0" range="-70 -30"/>
            <geom name="third_ankle_geom" fromto="0 0 0 -0.4 -0.4 0"/>
          </body>
        </body>
      </body>

      <body name="right_back_leg">
        <geom name="aux_4_geom" fromto="0 0 0 0.2 -0.2 0"/>
        <body name="aux_4" pos="0.2 -0.2 0">
          <joint name="hip_4" axis="0 0 1" range="-30 30"/>
          <geom name="rightback_leg_geom" fromto="0 0 0 0.2 -0.2 0"/>
          <body pos="0.2 -0.2 0">
            <joint name="ankle_4" axis="1 1 0" range="30 70"/>
            <geom name="fourth_ankle_geom" fromto="0 0 0 0.4 -0.4 0"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>

  <actuator>
    <motor joint="hip_4"/>
    <motor joint="ankle_4"/>
    <motor joint="hip_1"/>
    <motor joint="ankle_1"/>
    <motor joint="hip_2"/>
    <motor joint="ankle_2"/>
    <motor joint="hip_3"/>
    <motor joint="ankle_3"/>
  </actuator>
</mujoco>
`;
